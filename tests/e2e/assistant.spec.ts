// The assistant as people use it: a request in a prompt cell, cells streaming into the shared notebook for everyone,
// generated queries running (a failing one gets exactly one fix). The model is a scripted local server speaking
// Gemini's REST API; everything of Sheaf's runs for real.
import { expect, test, type Page } from '@playwright/test';
import { geminiURL } from '../../playwright.config';
import type { ReceivedRequest, ScriptedAnswer } from '../gemini/scripted-gemini';
import { ownerAndEditor, signUp } from './helpers';
import { nativeWeather as native, WEATHER } from './weather';

async function script(...answers: ScriptedAnswer[]) {
  await fetch(`${geminiURL}/__requests`, { method: 'DELETE' });
  await fetch(`${geminiURL}/__script`, { method: 'POST', body: JSON.stringify(answers) });
}
const received = async () => (await (await fetch(`${geminiURL}/__requests`)).json()) as ReceivedRequest[];

/** The answer's JSON in small pieces, as a model streams it. */
function streamed(answer: unknown, delayMs = 150): ScriptedAnswer {
  const text = JSON.stringify(answer);
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += 60) chunks.push(text.slice(i, i + 60));
  return { chunks, delayMs };
}

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
  await expect(bob.page.getByTestId('prompt-status')).toContainText('Writing cells…');
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
  await expect(last.getByTestId('result-row').first()).toContainText(String(wettest!.most), {
    timeout: 30_000
  });
  await expect(page.getByTestId('prompt-fix')).toContainText('wettest: A typo in precipitation.');
  const calls = await received();
  expect(calls.map((c) => c.method)).toEqual(['streamGenerateContent', 'generateContent']);
  expect(calls[1]!.text).toContain('precipitaton');
  expect(calls[1]!.text).toMatch(/precipitaton.*not found|not found.*precipitaton/s);

  await ada.context.close();
  await bob.context.close();
});

test('a malformed answer gives a clear error and inserts nothing broken', async ({ page }) => {
  await signUp(page, 'Mal Formed');
  await page.getByRole('button', { name: 'New notebook' }).click();
  await expect(page.getByTestId('connection-status')).toHaveText('connected');
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
