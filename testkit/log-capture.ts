// What a piece of code wrote to stdout and stderr, as JSON lines. Powertools' Logger and Metrics
// write to the streams themselves (not through console.log), so the streams are what is watched.
import { vi } from 'vitest'

export async function capturedJsonLines(run: () => unknown): Promise<Record<string, unknown>[]> {
  const written: string[] = []
  const spies = [process.stdout, process.stderr].map((stream) =>
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
      return true
    }),
  )
  try {
    await run()
  } finally {
    for (const spy of spies) spy.mockRestore()
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
}
