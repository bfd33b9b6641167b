// The DynamoDB clients, created once at the edge and passed in.
import { Agent } from 'node:http'
import { connect, type Socket } from 'node:net'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'

export interface DynamoClients {
  client: DynamoDBClient
  doc: DynamoDBDocumentClient
}

/**
 * Every call is bounded: the SDK sets no timeout of its own, so an endpoint that stops answering
 * (a frozen process, a dropped connection) would hold a request, and a worker pass, forever.
 * A try that times out is retried like a refused one; conditional writes make that safe.
 */
const timeouts = { connectionTimeout: 2_000, requestTimeout: 5_000, throwOnRequestTimeout: true }

/** Connections to a Unix socket (the embedded database) whatever the endpoint's host says. */
class UnixSocketAgent extends Agent {
  constructor(private readonly socketPath: string) {
    super({ keepAlive: true })
  }
  override createConnection(): Socket {
    return connect(this.socketPath)
  }
}

/**
 * With `endpoint` (dynalite or another DynamoDB-compatible server) local credentials are used;
 * with `socketPath` too, requests go through that Unix socket.
 */
export function createDynamoClients(endpoint?: string, socketPath?: string): DynamoClients {
  const requestHandler = socketPath ? { ...timeouts, httpAgent: new UnixSocketAgent(socketPath) } : timeouts
  const client = endpoint
    ? new DynamoDBClient({
        endpoint,
        region: process.env.AWS_REGION ?? 'local',
        credentials: {
          accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'local',
          secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
        },
        // an endpoint that is down answers in ~15 s at worst (3 tries), so clients get their 503
        maxAttempts: 3,
        requestHandler,
      })
    : new DynamoDBClient({ requestHandler })
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  })
  return { client, doc }
}
