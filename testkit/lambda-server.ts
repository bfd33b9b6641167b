// Lambda's Invoke API (POST /2015-03-31/functions/{name}/invocations) on plain node:http, so the
// real SDK client's Invoke reaches a function running in this process. AWS itself cannot run here.
// A RequestResponse invoke answers with the function's result; an Event invoke (asynchronous)
// answers 202 first, as Lambda does, then runs the function.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

interface Invocation {
  functionName: string
  type: 'RequestResponse' | 'Event'
  payload: unknown
  /** whether the caller has been answered */
  answered: boolean
}

export interface LambdaServer {
  url: string
  invocations: Invocation[]
  close(): Promise<void>
}

export interface LambdaServerOptions {
  /** how long an Event invoke waits before its 202, so a caller that does not wait for it shows */
  eventAnswerDelayMs?: number
}

export async function startLambdaServer(
  invoke: (functionName: string, payload: unknown) => Promise<unknown>,
  options: LambdaServerOptions = {},
): Promise<LambdaServer> {
  const invocations: Invocation[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
    req.on('end', () => {
      const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(req.url ?? '')
      if (req.method !== 'POST' || !match) {
        res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' })
        return res.end(JSON.stringify({ Type: 'User', message: 'Function not found' }))
      }
      const invocation: Invocation = {
        functionName: decodeURIComponent(match[1] as string),
        type: req.headers['x-amz-invocation-type'] === 'Event' ? 'Event' : 'RequestResponse',
        payload: body ? JSON.parse(body) : {},
        answered: false,
      }
      invocations.push(invocation)
      const run = () => invoke(invocation.functionName, invocation.payload)
      if (invocation.type === 'Event') {
        setTimeout(() => {
          res.writeHead(202, { 'content-type': 'application/json' })
          res.end()
          invocation.answered = true
          // Lambda retries a failed asynchronous run itself; the caller never hears of it.
          run().catch(() => {})
        }, options.eventAnswerDelayMs ?? 0)
        return
      }
      run().then(
        (result) => {
          res.writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' })
          res.end(JSON.stringify(result ?? null))
          invocation.answered = true
        },
        (error: unknown) => {
          // As Lambda reports a function error: status 200, X-Amz-Function-Error, the error as payload.
          const e = error instanceof Error ? error : new Error(String(error))
          res.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' })
          res.end(JSON.stringify({ errorType: e.name, errorMessage: e.message }))
          invocation.answered = true
        },
      )
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    invocations,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}
