// The assistant as people use it: a request in a prompt cell, cells streaming into the shared notebook for everyone,
// generated queries running (a failing one gets exactly one fix). The model is a scripted local server speaking
// Gemini's REST API; everything of Sheaf's runs for real.
import { expect, test, type Page } from '@playwright/test';
import { geminiURL } from '../../playwright.config';
import { pieces, type ReceivedRequest, type ScriptedAnswer } from '../gemini/scripted-gemini';
import { ownerAndEditor, signUpWithNotebook, shownNumber } from './helpers';
import { nativeWeather as native, WEATHER } from './weather';

async function script(...answers: ScriptedAnswer[]) {
  await fetch(`${geminiURL}/__requests`, { method: 'DELETE' });
  await fetch(`${geminiURL}/__script`, { method: 'POST', body: JSON.stringify(answers) });
}
const received = async () => (await (await fetch(`${geminiURL}/__requests`)).json()) as ReceivedRequest[];

/** The answer's JSON in small pieces, as a model streams it. */
const streamed = (answer: unknown, delayMs = 150): ScriptedAnswer => ({
  chunks: pieces(answer, 12),
  delayMs
});

const kinds = (page: Page) =>
  page.getByTestId('cell').evaluateAll((cells) => cells.map((c) => c.getAttribute('data-kind')));

test('a request writes SQL, a chart and text, streamed into both browsers in order; a failing query gets one fix', async ({
  browser
}) => {
  test.setTimeout(120_000);
  const { owner: ada, editor: bob } = await ownerAndEditor(browser, 'Ada Asks', 'Bob Watches');
  const page = ada.page;
  await page.getByLabel('Upload files').setInputFiles(WEATHER);
  await expect(page.getByTestId('file')).toContainText('seattle_weather');
  await bob.page.goto(page.url());
  await expect(bob.page.getByTestId('connection-status')).toHaveText('connected');

  const answer = {
    explanation: 'Days of each kind of weather, as bars, with a note.',
    cells: [
      {
        kind: 'sql',
        name: 'weather_days',
        engine: 'local',
        sql: 'select weather, count(*) as days from seattle_weather group by weather',
        columns: ['weather', 'days']
      },
      {
        kind: 'chart',
        source: 'weather_days',
        mark: 'bar',
        x: { field: 'weather', type: 'nominal', sort: '-y' },
        y: { field: 'days', type: 'quantitative', aggregate: 'sum' }
      },
      { kind: 'text', markdown: 'Rain and sun make up **most** days.' },
      {
        kind: 'sql',
        name: 'wettest',
        engine: 'local',
        sql: 'select max(precipitaton) as most from seattle_weather',
        columns: ['most']
      }
    ]
  };
  await script(streamed(answer), {
    chunks: [
      JSON.stringify({
        sql: 'select max(precipitation) as most from seattle_weather',
        explanation: 'A typo in precipitation.'
      })
    ]
  });

  await page.getByRole('button', { name: 'Add Ask AI cell below cell 1' }).click();
  await page.keyboard.type('How many days of each weather? Chart it and explain.');
  await page.getByRole('button', { name: 'Ask the assistant' }).click();

  // Bob sees the first cell arrive while the answer is still being written.
  await expect(bob.page.getByTestId('cell').nth(2)).toHaveAttribute('data-kind', 'sql', { timeout: 15_000 });
  await expect(bob.page.getByTestId('prompt-status')).toContainText('Ada Asks asked; Writing cells…');
  // One request per prompt at a time: Bob cannot ask (or regenerate) while Ada's answer is being written.
  await expect(bob.page.getByRole('button', { name: 'Ask the assistant' })).toBeDisabled();
  const order = ['sql', 'prompt', 'sql', 'chart', 'text', 'sql'];
  await expect.poll(() => kinds(page), { timeout: 30_000 }).toEqual(order);
  await expect.poll(() => kinds(bob.page), { timeout: 30_000 }).toEqual(order);
  await expect(bob.page.getByTestId('prompt-explanation')).toHaveText(answer.explanation);

  // The model was told about the uploaded file and the cells above the request.
  const [request] = await received();
  expect(request!.text).toContain('Table seattle_weather (uploaded file, 1,461 rows; engine "local")');
  expect(request!.text).toMatch(/precipitation DOUBLE\s+e\.g\./);
  expect(request!.text).toContain('Request: How many days of each weather? Chart it and explain.');

  // The generated queries ran; the chart drew their numbers, which native DuckDB agrees with.
  const want = await native<{ weather: string; days: number }>(
    'select weather, count(*)::int as days from seattle_weather group by weather'
  );
  const chart = page.getByTestId('cell').nth(3);
  await expect(chart.locator('svg [aria-roledescription="bar"]')).toHaveCount(want.length, {
    timeout: 30_000
  });
  for (const w of want)
    await expect(chart.locator(`[aria-label="weather: ${w.weather}; Sum of days: ${w.days}"]`)).toHaveCount(
      1
    );
  await expect(page.getByTestId('cell').nth(4).getByTestId('markdown')).toContainText(
    'Rain and sun make up most days.'
  );

  // The misspelt column failed, the assistant got the error once, and the fixed query ran.
  const [wettest] = await native<{ most: number }>('select max(precipitation) as most from seattle_weather');
  const last = page.getByTestId('cell').nth(5);
  await expect(last.getByTestId('result-row').first()).toContainText(shownNumber(wettest!.most), {
    timeout: 30_000
  });
  await expect(page.getByTestId('prompt-fix')).toHaveText(
    'wettest failed and was fixed: A typo in precipitation.'
  );
  const calls = await received();
  expect(calls.map((c) => c.method)).toEqual(['streamGenerateContent', 'generateContent']);
  expect(calls[1]!.text).toContain('precipitaton');
  expect(calls[1]!.text).toMatch(/precipitaton.*not found|not found.*precipitaton/s);

  await ada.context.close();
  await bob.context.close();
});

test('a malformed answer gives a clear error and inserts nothing broken', async ({ page }) => {
  await signUpWithNotebook(page, 'Mal Formed');
  await page.getByRole('button', { name: 'Add Ask AI cell below cell 1' }).click();
  await page.keyboard.type('Anything');

  await script({ chunks: ['Sure! Here you go: {"cells": ['] });
  await page.getByRole('button', { name: 'Ask the assistant' }).click();
  await expect(page.getByTestId('prompt-error')).toContainText('cut off or is not valid JSON');
  await expect(page.getByTestId('cell')).toHaveCount(2);

  await script(streamed({ explanation: '', cells: [{ kind: 'shell', command: 'rm -rf /' }] }, 0));
  await page.getByRole('button', { name: 'Ask the assistant' }).click();
  await expect(page.getByTestId('prompt-error')).toContainText('a cell of unknown kind "shell"');
  await expect(page.getByTestId('cell')).toHaveCount(2);
});

test('Fix with AI proposes a corrected query as a diff; reject keeps the cell, accept replaces and runs it', async ({
  page
}) => {
  await signUpWithNotebook(page, 'Fixing Fay');
  const cell = page.getByTestId('cell').first();
  await cell.locator('.cm-content').click();
  await page.keyboard.type('select 6 * 7 as answr\nfrom range(1) t(i)\nwhere i = 1');
  await cell.getByRole('button', { name: 'Run cell' }).click();
  await expect(cell.getByTestId('run-summary')).toContainText('0 rows', { timeout: 60_000 });
  // Now break it for real.
  await cell.locator('.cm-content').click();
  await page.keyboard.press('Control+a');
  await page.keyboard.type('select 6 * 7 as answer\nfrom range(1) t(i)\nwhere j = 0');
  await cell.getByRole('button', { name: 'Run cell' }).click();
  await expect(cell.getByTestId('run-error')).toContainText('"j"');

  const fixed = 'select 6 * 7 as answer\nfrom range(1) t(i)\nwhere i = 0';
  await script(
    { chunks: [JSON.stringify({ sql: fixed, explanation: 'There is no column j; the range column is i.' })] },
    { chunks: [JSON.stringify({ sql: fixed, explanation: 'There is no column j; the range column is i.' })] }
  );
  await cell.getByRole('button', { name: 'Fix with AI' }).click();
  const proposal = cell.getByTestId('fix-proposal');
  await expect(proposal).toContainText('There is no column j');
  await expect(proposal.locator('.removed')).toHaveText('- where j = 0\n');
  await expect(proposal.locator('.added')).toHaveText('+ where i = 0\n');
  await proposal.getByRole('button', { name: 'Reject' }).click();
  await expect(proposal).toHaveCount(0);
  await expect(cell.locator('.cm-content')).toContainText('where j = 0');

  await cell.getByRole('button', { name: 'Fix with AI' }).click();
  await cell.getByTestId('fix-proposal').getByRole('button', { name: 'Accept and run' }).click();
  await expect(cell.getByTestId('result-row').first()).toContainText('42', { timeout: 30_000 });
  await expect(cell.locator('.cm-content')).toContainText('where i = 0');
  const calls = await received();
  expect(calls).toHaveLength(2);
  expect(calls[0]!.text).toContain('where j = 0');
  expect(calls[0]!.text).toMatch(/"j" not found/);
});

test('regenerate replaces the cells the last answer wrote', async ({ page }) => {
  await signUpWithNotebook(page, 'Again Al');
  await page.getByRole('button', { name: 'Add Ask AI cell below cell 1' }).click();
  await page.keyboard.type('Say something');
  await script(
    streamed(
      {
        explanation: 'First.',
        cells: [
          { kind: 'text', markdown: 'First answer' },
          { kind: 'text', markdown: 'Second part' }
        ]
      },
      0
    ),
    streamed({ explanation: 'Again.', cells: [{ kind: 'text', markdown: 'A better answer' }] }, 0)
  );
  await page.getByRole('button', { name: 'Ask the assistant' }).click();
  await expect(page.getByTestId('prompt-explanation')).toHaveText('First.');
  await expect(page.getByTestId('cell')).toHaveCount(4);
  await expect(page.getByRole('button', { name: 'Ask the assistant' })).toHaveText('✨ Regenerate');

  // An edited generated cell is not thrown away without asking.
  await page.getByTestId('cell').nth(2).getByTestId('markdown').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(' (checked by Al)');
  await page.keyboard.press('Escape');
  page.once('dialog', (d) => {
    expect(d.message()).toContain('one of them has been edited since');
    void d.dismiss();
  });
  await page.getByRole('button', { name: 'Ask the assistant' }).click();
  await expect(page.getByTestId('cell')).toHaveCount(4);
  await expect(page.getByTestId('cell').nth(2).getByTestId('markdown')).toHaveText(
    'First answer (checked by Al)'
  );
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Ask the assistant' }).click();
  await expect(page.getByTestId('prompt-explanation')).toHaveText('Again.');
  await expect(page.getByTestId('cell')).toHaveCount(3);
  await expect(page.getByTestId('cell').nth(2).getByTestId('markdown')).toHaveText('A better answer');
  await expect(page.getByText('First answer')).toHaveCount(0);

  // The history kept the notebook from before the regenerate, edited first answer included.
  const notebookId = new URL(page.url()).pathname.split('/').pop()!;
  const { versions } = (await (await page.request.get(`/api/notebooks/${notebookId}/versions`)).json()) as {
    versions: { id: number; kind: string; label: string | null }[];
  };
  const before = versions.find((v) => v.kind === 'assistant');
  expect(before?.label).toBe('Before the assistant regenerated');
  const kept = await (await page.request.get(`/api/notebooks/${notebookId}/versions/${before!.id}`)).text();
  expect(kept).toContain('First answer (checked by Al)');
  expect(kept).toContain('Second part');
});
