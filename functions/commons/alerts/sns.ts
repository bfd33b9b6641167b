// The SNS edge: publishes an alert to the topic whose e-mail and SMS subscribers are the
// emergency group. The client is created once by the caller and passed in.
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns'
import type { SnsPublisher } from './targets.ts'

export function snsPublisher(client: Pick<SNSClient, 'send'>, topicArn: string): SnsPublisher {
  return {
    async publish({ subject, text, id }) {
      await client.send(
        new PublishCommand({
          TopicArn: topicArn,
          Subject: subject,
          Message: text,
          MessageAttributes: { alertId: { DataType: 'String', StringValue: id } },
        }),
      )
    },
  }
}
