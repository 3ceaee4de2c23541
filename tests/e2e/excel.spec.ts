// An Excel workbook uploaded in the browser becomes a table like any file: its columns and types in the Files
// panel, and queries over it give the workbook's values.
import { expect, test } from '@playwright/test';
import writeExcelFile from 'write-excel-file/node';
import { signUpWithNotebook, typeSql, shownNumber } from './helpers';

test('upload an Excel workbook, see its columns, query it', async ({ page }) => {
  test.setTimeout(90_000);
  const regions = ['north', 'south', 'east', 'west'];
  const rows = Array.from({ length: 200 }, (_, i) => [
    { value: `R-${String(i).padStart(4, '0')}`, type: String },
    { value: new Date(Date.UTC(2024, i % 12, 1 + (i % 28))), format: 'yyyy-mm-dd' },
    regions[i % 4]!,
    ((i * 37) % 1000) + 0.25
  ]);
  const expected = regions.map((r) =>
    rows.filter((row) => row[2] === r).reduce((sum, row) => sum + (row[3] as number), 0)
  );
  const workbook = await writeExcelFile([['ref', 'day', 'region', 'revenue'], ...rows]).toBuffer();

  await signUpWithNotebook(page, 'Xena Excel');
  await expect(page.getByText('Drop CSV, TSV, JSON, Parquet or Excel files here')).toBeVisible();
  await page.getByLabel('Upload files').setInputFiles({
    name: 'Q1 Sales.xlsx',
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    buffer: workbook
  });
  const file = page.getByTestId('file');
  await expect(file).toContainText('q1_sales', { timeout: 30_000 });
  await expect(file).toContainText('200 rows');
  await file.locator('summary').click();
  const columns = page.getByRole('list', { name: 'Columns of q1_sales' });
  for (const c of ['ref VARCHAR', 'day DATE', 'region VARCHAR', 'revenue DOUBLE'])
    await expect(columns).toContainText(c);

  await typeSql(
    page,
    0,
    'select region, sum(revenue) as revenue from q1_sales group by region order by region'
  );
  await page.getByRole('button', { name: 'Run cell' }).first().click();
  const result = page.getByTestId('result-row');
  await expect(result).toHaveCount(4, { timeout: 60_000 });
  const order = [...regions].sort();
  for (const [i, r] of order.entries()) {
    await expect(result.nth(i)).toContainText(r);
    await expect(result.nth(i)).toContainText(shownNumber(expected[regions.indexOf(r)]!));
  }
});
