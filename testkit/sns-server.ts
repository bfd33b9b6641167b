// SNS's Publish on plain node:http, answering in the protocol the SDK client speaks (the query
// protocol's XML, or JSON), so the real client publishes through it. AWS cannot run here.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface SnsServer {
  url: string
  /** every Publish received, its parameters flattened (TopicArn, Subject, Message, …) */
  published: Record<string, unknown>[]
  close(): Promise<void>
}

export async function startSnsServer(): Promise<SnsServer> {
  const published: Record<string, unknown>[] = []
  let next = 0
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
    req.on('end', () => {
      const messageId = `00000000-0000-0000-0000-${String(++next).padStart(12, '0')}`
      if ((req.headers['content-type'] ?? '').includes('x-www-form-urlencoded')) {
        const params = Object.fromEntries(new URLSearchParams(body))
        published.push(params)
        res.writeHead(200, { 'content-type': 'text/xml' })
        return res.end(
          `<PublishResponse xmlns="https://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>test</RequestId></ResponseMetadata></PublishResponse>`,
        )
      }
      published.push(JSON.parse(body) as Record<string, unknown>)
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' })
      res.end(JSON.stringify({ MessageId: messageId }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    published,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}
