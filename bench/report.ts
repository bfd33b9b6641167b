// Benchmark output: a table for people, and bench/report.json for machines (one key per bench).
import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'

const reportFile = resolve(import.meta.dirname, 'report.json')

export function printTable(title: string, rows: Record<string, unknown>[]): void {
  console.log(`\n${title}`)
  console.table(rows)
}

/** Merges one benchmark's results into bench/report.json. */
export async function report(name: string, results: unknown): Promise<void> {
  const current = existsSync(reportFile) ? (JSON.parse(await readFile(reportFile, 'utf8')) as Record<string, unknown>) : {}
  current[name] = { at: new Date().toISOString(), results }
  await writeFile(reportFile, `${JSON.stringify(current, null, 2)}\n`)
}
