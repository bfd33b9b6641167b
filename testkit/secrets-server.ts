// A Secrets Manager endpoint on plain node:http answering GetSecretValue in the service's JSON
// protocol (awsJson1_1: POST /, X-Amz-Target), so the real SDK client reads through it.
// AWS itself cannot run here; this stands in for it over the wire.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface SecretsServer {
  url: string
  /** how many GetSecretValue calls each secret id received */
  reads: Map<string, number>
  /** puts a new value, as `aws secretsmanager put-secret-value` does */
  put(secretId: string, value: string): void
  /** deletes a secret: reads of it then fail with ResourceNotFoundException */
  remove(secretId: string): void
  close(): Promise<void>
}

export async function startSecretsServer(secrets: Record<string, string>): Promise<SecretsServer> {
  const reads = new Map<string, number>()
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
    req.on('end', () => {
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'test' })
        res.end(JSON.stringify(payload))
      }
      if (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
        return reply(400, { __type: 'UnknownOperationException', message: 'only GetSecretValue is served here' })
      }
      const { SecretId } = JSON.parse(body) as { SecretId: string }
      reads.set(SecretId, (reads.get(SecretId) ?? 0) + 1)
      const value = secrets[SecretId]
      if (value === undefined) {
        return reply(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." })
      }
      return reply(200, {
        ARN: SecretId,
        Name: SecretId.split(':').at(-1),
        SecretString: value,
        VersionId: '00000000-0000-0000-0000-000000000001',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 1795831200,
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    reads,
    put: (secretId, value) => {
      secrets[secretId] = value
    },
    remove: (secretId) => {
      delete secrets[secretId]
    },
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}
