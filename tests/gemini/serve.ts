// Runs the scripted Gemini server on SCRIPTED_GEMINI_PORT, for the e2e suite (Playwright starts it beside the app).
import { startScriptedGemini } from './scripted-gemini';

const port = Number(process.env.SCRIPTED_GEMINI_PORT ?? 0);
const gemini = await startScriptedGemini(port);
console.log(`scripted Gemini on ${gemini.url}`);
