// Lambda's Invoke API (POST /2015-03-31/functions/{name}/invocations) on plain node:http, so the
// real SDK client's Invoke reaches a function running in this process. AWS itself cannot run here.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface LambdaServer {
  url: string
  close(): Promise<void>
}

export async function startLambdaServer(invoke: (functionName: string, payload: unknown) => Promise<unknown>): Promise<LambdaServer> {
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
    req.on('end', () => {
      const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(req.url ?? '')
      if (req.method !== 'POST' || !match) {
        res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' })
        return res.end(JSON.stringify({ Type: 'User', message: 'Function not found' }))
      }
      invoke(decodeURIComponent(match[1] as string), body ? JSON.parse(body) : {}).then(
        (result) => {
          res.writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' })
          res.end(JSON.stringify(result ?? null))
        },
        (error: unknown) => {
          // As Lambda reports a function error: status 200, X-Amz-Function-Error, the error as payload.
          const e = error instanceof Error ? error : new Error(String(error))
          res.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' })
          res.end(JSON.stringify({ errorType: e.name, errorMessage: e.message }))
        },
      )
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}
