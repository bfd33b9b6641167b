// The part of S3 photos use, path-style, faithful to what AWS documents: a browser-based POST
// upload checked against its POST policy (SigV4 signature over the base64 policy, expiration,
// every condition: eq, starts-with, content-length-range; fields not in the policy refused) and
// GetObject with Range, each refusal as S3's error XML. AWS cannot run here.
import { createHmac } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'

export interface S3Server {
  url: string
  /** objects stored, by "bucket/key" */
  objects: Map<string, { body: Uint8Array<ArrayBuffer>; contentType: string }>
  close(): Promise<void>
}

type Condition = Record<string, string> | [string, string, string] | ['content-length-range', number, number]

const errorXml = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>test</RequestId><HostId>test</HostId></Error>`

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest()

/** SigV4's signing key for a credential scope `<id>/<date>/<region>/s3/aws4_request`. */
function signingKey(secret: string, scope: string): Buffer {
  const [, date = '', region = '', service = ''] = scope.split('/')
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request')
}

/** Fields S3 never puts under the policy (AWS: "x-amz-signature, file, policy, and fields with the x-ignore- prefix"). */
const unchecked = (name: string) =>
  ['policy', 'x-amz-signature', 'file'].includes(name.toLowerCase()) || name.toLowerCase().startsWith('x-ignore-')

export async function startS3Server(credentials: { accessKeyId: string; secretAccessKey: string }): Promise<S3Server> {
  const objects: S3Server['objects'] = new Map()
  const app = new Hono()
  const refuse = (status: 400 | 403 | 404, code: string, message: string) =>
    new Response(errorXml(code, message), { status, headers: { 'content-type': 'application/xml' } })

  app.post('/:bucket', async (c) => {
    const bucket = c.req.param('bucket')
    const form = await c.req.formData()
    const fields = new Map<string, string>()
    for (const [name, value] of form) if (typeof value === 'string') fields.set(name.toLowerCase(), value)
    const file = form.get('file')
    if (!(file instanceof Blob)) return refuse(400, 'InvalidArgument', 'Bucket POST must contain a field named file.')
    const policyText = fields.get('policy') ?? ''
    const credential = fields.get('x-amz-credential') ?? ''
    if (fields.get('x-amz-algorithm') !== 'AWS4-HMAC-SHA256' || !credential.startsWith(`${credentials.accessKeyId}/`))
      return refuse(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.')
    const expected = hmac(signingKey(credentials.secretAccessKey, credential), policyText).toString('hex')
    if (expected !== fields.get('x-amz-signature'))
      return refuse(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.')
    const policy = JSON.parse(Buffer.from(policyText, 'base64').toString('utf8')) as { expiration: string; conditions: Condition[] }
    if (Date.parse(policy.expiration) <= Date.now()) return refuse(403, 'AccessDenied', 'Invalid according to Policy: Policy expired.')
    const values = new Map(fields)
    values.set('bucket', bucket)
    const covered = new Set<string>(['bucket'])
    for (const condition of policy.conditions) {
      if (Array.isArray(condition) && condition[0] === 'content-length-range') {
        const [, min, max] = condition as [string, number, number]
        if (file.size < min) return refuse(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size')
        if (file.size > max) return refuse(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size')
        continue
      }
      const [op, field, value] = Array.isArray(condition)
        ? (condition as [string, string, string])
        : ['eq', `$${Object.keys(condition)[0] ?? ''}`, Object.values(condition)[0] ?? '']
      const name = field.replace(/^\$/, '').toLowerCase()
      covered.add(name)
      const actual = values.get(name) ?? ''
      const holds = op === 'eq' ? actual === value : op === 'starts-with' ? actual.startsWith(value) : false
      if (!holds)
        return refuse(403, 'AccessDenied', `Invalid according to Policy: Policy Condition failed: ["${op}", "${field}", "${value}"]`)
    }
    for (const name of fields.keys()) {
      if (!unchecked(name) && !covered.has(name))
        return refuse(403, 'AccessDenied', `Invalid according to Policy: Extra input fields: ${name}`)
    }
    const key = fields.get('key') ?? ''
    objects.set(`${bucket}/${key}`, {
      body: new Uint8Array(await file.arrayBuffer()),
      contentType: fields.get('content-type') ?? 'binary/octet-stream',
    })
    // success_action_status defaults to 204
    return new Response(null, { status: 204 })
  })

  app.get('/:bucket/:key{.+}', (c) => {
    const object = objects.get(`${c.req.param('bucket')}/${c.req.param('key')}`)
    if (!object) return refuse(404, 'NoSuchKey', 'The specified key does not exist.')
    const range = /^bytes=(\d+)-(\d+)$/.exec(c.req.header('range') ?? '')
    if (!range) return new Response(object.body, { headers: { 'content-type': object.contentType } })
    const start = Number(range[1])
    const end = Math.min(Number(range[2]), object.body.length - 1)
    return new Response(object.body.slice(start, end + 1), {
      status: 206,
      headers: { 'content-type': object.contentType, 'content-range': `bytes ${start}-${end}/${object.body.length}` },
    })
  })

  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
  await new Promise<void>((resolve) => server.once('listening', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    objects,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
