// Small server-rendered SVG charts for the leaders' dashboard: no chart library reaches the
// phone, they print as they show, and each carries its figures in words for screen readers.
import type { Trend } from '../leaders/dashboard.ts'

const W = 320
const H = 120
const PAD = { left: 36, right: 8, top: 8, bottom: 20 }
const plotW = W - PAD.left - PAD.right
const plotH = H - PAD.top - PAD.bottom

const x = (i: number, n: number) => PAD.left + (n <= 1 ? plotW / 2 : (i / (n - 1)) * plotW)
const y = (value: number, max: number) => PAD.top + plotH - (max === 0 ? 0 : (value / max) * plotH)
const shortDate = (date: string) => date.slice(5)
const r1 = (n: number) => Math.round(n * 10) / 10

/** the points of a line, broken where a day has no value */
function segments(points: Trend['points'], max: number): string[] {
  const out: string[] = []
  let current: string[] = []
  points.forEach((p, i) => {
    if (p.value === null) {
      if (current.length > 0) out.push(current.join(' '))
      current = []
      return
    }
    current.push(`${r1(x(i, points.length))},${r1(y(p.value, max))}`)
  })
  if (current.length > 0) out.push(current.join(' '))
  return out
}

function Axes({ dates, max, unit }: { dates: string[]; max: number; unit: string }) {
  // a middle line only where its label is a whole number
  const marks = max % 2 === 0 ? [0, max / 2, max] : [0, max]
  return (
    <g class="axes">
      {marks.map((v) => (
        <>
          <line x1={PAD.left} x2={W - PAD.right} y1={r1(y(v, max))} y2={r1(y(v, max))} />
          <text x={PAD.left - 4} y={r1(y(v, max)) + 4} text-anchor="end">
            {v}
            {unit}
          </text>
        </>
      ))}
      <text x={PAD.left} y={H - 4}>
        {shortDate(dates[0] ?? '')}
      </text>
      <text x={W - PAD.right} y={H - 4} text-anchor="end">
        {shortDate(dates.at(-1) ?? '')}
      </text>
    </g>
  )
}

const latest = (t: Trend) => t.points.at(-1)?.value

/** 报送率 (solid) and 按时率 (dashed) of one form, in percent. */
export function RateChart({ id, title, reported, onTime }: { id: string; title: string; reported: Trend; onTime: Trend }) {
  const dates = reported.points.map((p) => p.date)
  const words = (t: Trend) => (latest(t) === null || latest(t) === undefined ? '—' : `${latest(t)}%`)
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-t`}>
        <title id={`${id}-t`}>
          {title}：近{dates.length}天，今天报送率 {words(reported)}，按时率 {words(onTime)}
        </title>
        <Axes dates={dates} max={100} unit="%" />
        {segments(reported.points, 100).map((p) => (
          <polyline class="line-reported" points={p} />
        ))}
        {segments(onTime.points, 100).map((p) => (
          <polyline class="line-ontime" points={p} />
        ))}
      </svg>
      <p class="legend">
        <span class="key key-reported"></span>报送率 {words(reported)} <span class="key key-ontime"></span>按时率 {words(onTime)}
      </p>
    </figure>
  )
}

/** One figure per day as bars, today's value named. */
export function TotalChart({ trend }: { trend: Trend }) {
  const values = trend.points.map((p) => p.value ?? 0)
  const max = Math.max(1, ...values)
  const n = values.length
  const slot = plotW / n
  const today = latest(trend) ?? 0
  return (
    <figure class="chart">
      <figcaption>
        {trend.title} <strong>{today}</strong>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${trend.id}-t`}>
        <title id={`${trend.id}-t`}>
          {trend.title}：近{n}天 {values.join('、')}；今天 {today}
        </title>
        <Axes dates={trend.points.map((p) => p.date)} max={max} unit="" />
        {values.map((v, i) =>
          v > 0 ? (
            <rect
              class="bar"
              x={r1(PAD.left + i * slot + slot * 0.15)}
              y={r1(y(v, max))}
              width={r1(slot * 0.7)}
              height={r1(PAD.top + plotH - y(v, max))}
            />
          ) : null,
        )}
      </svg>
    </figure>
  )
}

/** the charts' own styles, inlined on the page that shows them */
export const chartCss = `
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(16rem,1fr));gap:.8rem 1.2rem}
.chart{margin:0;break-inside:avoid}
.chart figcaption{font-weight:700;font-size:.95rem}
.chart svg{width:100%;height:auto;display:block}
.axes line{stroke:#d9dadb;stroke-width:1}
.axes text{font-size:10px;fill:#505a5f}
.line-reported{fill:none;stroke:#1d70b8;stroke-width:2.5}
.line-ontime{fill:none;stroke:#00703c;stroke-width:2;stroke-dasharray:5 3}
.bar{fill:#d4351c}
.legend{margin:.1rem 0 0;font-size:.85rem;color:#505a5f}
.key{display:inline-block;width:1.2rem;height:0;border-top:3px solid #1d70b8;vertical-align:middle;margin-right:.2rem}
.key-ontime{border-top:3px dashed #00703c;margin-left:.6rem}
`
