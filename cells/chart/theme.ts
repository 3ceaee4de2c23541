// Vega config matching the app: system font, quiet axes, the app's accent first in the palette.
export const CHART_THEME = {
  background: 'transparent',
  font: 'system-ui, -apple-system, "Segoe UI", sans-serif',
  padding: 4,
  view: { stroke: 'transparent' },
  title: { fontSize: 14, fontWeight: 600, anchor: 'start', color: '#1c1f1c', offset: 8 },
  axis: {
    labelColor: '#5b635b',
    titleColor: '#3a403a',
    titleFontWeight: 500,
    gridColor: '#e8ebe8',
    domainColor: '#c9cfc9',
    tickColor: '#c9cfc9',
    labelFontSize: 11,
    titleFontSize: 11
  },
  legend: { labelColor: '#3a403a', titleColor: '#3a403a', labelFontSize: 11, titleFontSize: 11 },
  range: {
    category: [
      '#2563eb',
      '#f59e0b',
      '#10b981',
      '#ef4444',
      '#8b5cf6',
      '#0ea5e9',
      '#ec4899',
      '#84cc16',
      '#64748b',
      '#14b8a6'
    ]
  },
  bar: { fill: '#2563eb' },
  line: { stroke: '#2563eb', strokeWidth: 2 },
  area: { fill: '#2563eb', opacity: 0.8 },
  point: { fill: '#2563eb' },
  rect: { fill: '#2563eb' }
} as const;
