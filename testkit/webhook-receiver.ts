// A real HTTP webhook receiver for tests: node:http on a random local port. Records every request
// and answers like the robot its path belongs to (WeCom, DingTalk, Feishu, Slack, else plain JSON);
// can be told to fail the next requests with a status, a robot error body, or no answer at all.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ReceivedRequest {
  method: string
  /** pathname, e.g. `/robot/send` */
  path: string
  /** the query as sent, undecoded (signatures are compared on this) */
  rawQuery: string
  /** decoded query parameters */
  query: Record<string, string>
  headers: IncomingHttpHeaders
  rawBody: string
  /** the body parsed as JSON; undefined when it is not JSON */
  body: unknown
  /** Date.now() when the body had arrived */
  receivedAt: number
}

/**
 * How to fail: an HTTP status (empty body), `{ status, body, headers }` (an object body is sent as
 * JSON, e.g. `{ status: 200, body: { errcode: 130101, errmsg: 'send too fast' } }`), or 'hang' to
 * read the request and never answer.
 */
type FailureMode = number | 'hang' | { status: number; body?: unknown; headers?: Record<string, string> }

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>`, no trailing slash */
  url: string
  requests: ReceivedRequest[]
  failNext(n: number, how: FailureMode): void
  /** resolves with the requests once at least `count` have arrived */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>
  /** forgets recorded requests and pending failures */
  reset(): void
  close(): Promise<void>
}

interface Reply {
  status: number
  headers: Record<string, string>
  body: string
}

/** What each robot answers on success, as their docs show it. */
function successReply(path: string): Reply {
  const asJson = (value: unknown): Reply => ({
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(value),
  })
  if (path.startsWith('/cgi-bin/webhook/send') || path.startsWith('/robot/send')) return asJson({ errcode: 0, errmsg: 'ok' })
  if (path.startsWith('/open-apis/bot/v2/hook/')) return asJson({ code: 0, data: {}, msg: 'success' })
  if (path.startsWith('/services/')) return { status: 200, headers: { 'content-type': 'text/html' }, body: 'ok' }
  return asJson({ received: true })
}

function failureReply(how: Exclude<FailureMode, 'hang'>): Reply {
  if (typeof how === 'number') return { status: how, headers: {}, body: '' }
  if (typeof how.body === 'string' || how.body === undefined) {
    return { status: how.status, headers: { ...how.headers }, body: how.body ?? '' }
  }
  return {
    status: how.status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...how.headers },
    body: JSON.stringify(how.body),
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = []
  const failures: FailureMode[] = []
  const waiters = new Set<() => void>()
  const hanging = new Set<ServerResponse>()

  const server = createServer((req, res) => {
    void handle(req, res)
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req)
    const target = new URL(req.url ?? '/', 'http://receiver.invalid')
    requests.push({
      method: req.method ?? '',
      path: target.pathname,
      rawQuery: target.search.replace(/^\?/, ''),
      query: Object.fromEntries(target.searchParams),
      headers: req.headers,
      rawBody,
      body: parseJson(rawBody),
      receivedAt: Date.now(),
    })
    for (const wake of waiters) wake()
    const how = failures.shift()
    if (how === 'hang') {
      hanging.add(res)
      return
    }
    const reply = how === undefined ? successReply(target.pathname) : failureReply(how)
    res.writeHead(reply.status, reply.headers)
    res.end(reply.body)
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(n, how) {
      for (let i = 0; i < n; i++) failures.push(how)
    },
    waitFor(count, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (requests.length < count) return
          clearTimeout(timer)
          waiters.delete(check)
          resolve(requests.slice())
        }
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(new Error(`webhook receiver: ${requests.length} of ${count} requests after ${timeoutMs} ms`))
        }, timeoutMs)
        waiters.add(check)
        check()
      })
    },
    reset() {
      requests.length = 0
      failures.length = 0
    },
    close() {
      for (const res of hanging) res.destroy()
      hanging.clear()
      server.closeAllConnections()
      return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())))
    },
  }
}
