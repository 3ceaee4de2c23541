import { sveltekit } from '@sveltejs/kit/vite';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

/** Serves /collab/:notebookId WebSockets from Vite's dev server. The handler is loaded through Vite's SSR module
 * graph, so it shares the database handle and modules with SvelteKit's server code. */
function collab(): Plugin {
  return {
    name: 'sheaf-collab',
    configureServer(server) {
      type Handler = (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;
      let handler: Promise<Handler> | undefined;
      const load = async (): Promise<Handler> => {
        const upgrade = await server.ssrLoadModule('/server/collab/upgrade.ts');
        const instance = await server.ssrLoadModule('/server/db/instance.ts');
        return upgrade.createCollabUpgradeHandler(() => instance.getDb());
      };
      // Uploads, file reads and stored results bypass SvelteKit's body limit, as in production (server/index.ts).
      server.middlewares.use((req, res, next) => {
        const raw = ['/api/upload', '/api/files/', '/api/results/', '/api/connections/'];
        if (!raw.some((p) => req.url?.startsWith(p))) return next();
        void (async () => {
          const http = await server.ssrLoadModule('/server/http/raw-routes.ts');
          const instance = await server.ssrLoadModule('/server/db/instance.ts');
          const config = (await server.ssrLoadModule('/server/config.ts')).loadConfig();
          const secrets = await server.ssrLoadModule('/server/connectors/secret-box.ts');
          const handle = http.createRawHandler({
            getDb: () => instance.getDb(),
            dataDir: config.dataDir,
            uploadLimitBytes: config.uploadLimitBytes,
            secretBox: () => secrets.appSecretBox(config)
          });
          if (!handle(req, res)) next();
        })().catch(next);
      });
      // Only /collab/ is claimed, so Vite's HMR socket keeps working.
      server.httpServer?.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        if (!req.url?.startsWith('/collab/')) return;
        handler ??= load();
        handler
          .then((h) => h(req, socket, head))
          .catch((e) => {
            console.error('collab: dev upgrade failed:', e);
            socket.destroy();
          });
      });
    }
  };
}

/** After a client build, writes what each chunk holds (module → rendered bytes, imports) to
 * .svelte-kit/output/chunks.json, which `npm run bench:chunks` reads: the bundle's contents without a visualiser. */
function chunkReport(): Plugin {
  let ssr = false;
  return {
    name: 'sheaf-chunk-report',
    apply: 'build',
    configResolved(config) {
      ssr = !!config.build.ssr;
    },
    generateBundle(_options, bundle) {
      if (ssr) return;
      const chunks = Object.values(bundle).flatMap((c) =>
        c.type === 'chunk'
          ? [
              {
                file: c.fileName,
                entry: c.facadeModuleId,
                imports: c.imports,
                dynamicImports: c.dynamicImports,
                css: [...(c.viteMetadata?.importedCss ?? [])],
                modules: Object.fromEntries(
                  Object.entries(c.modules).map(([id, m]) => [id, m.renderedLength])
                )
              }
            ]
          : []
      );
      mkdirSync('.svelte-kit/output', { recursive: true });
      writeFileSync('.svelte-kit/output/chunks.json', JSON.stringify(chunks));
    }
  };
}

export default defineConfig({
  plugins: [sveltekit(), collab(), chunkReport()],
  server: { port: 5173 },
  // Rolldown's PLUGIN_TIMINGS warning reports that SvelteKit's own build steps are slow, after every build,
  // as a block of text nobody here can act on; `npm start` printed it before the URL.
  build: { rolldownOptions: { checks: { bundlerTimings: false } } },
  test: {
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node' }
      },
      {
        extends: true,
        // Svelte's browser build, so components mount in the test's DOM (the default conditions give its server build).
        resolve: { conditions: ['browser'] },
        test: { name: 'component', include: ['tests/component/**/*.test.ts'], environment: 'jsdom' }
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          // The test databases run on this machine, which connections refuse by default.
          env: { CONNECTION_ALLOW_HOSTS: '127.0.0.1,localhost' },
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000
        }
      }
    ]
  }
});
