// The SNS edge: publishes an alert to the topic whose e-mail and SMS subscribers are the
// emergency group. The client is created once by the caller and passed in.
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns'
import type { SnsPublisher } from '../channels/targets.ts'

export function snsPublisher(client: Pick<SNSClient, 'send'>, topicArn: string): SnsPublisher {
  return {
    async publish({ subject, text, sms, id }) {
      await client.send(
        new PublishCommand({
          TopicArn: topicArn,
          Subject: subject,
          // One message per protocol: e-mail gets the whole alert, SMS (1,600 bytes at most,
          // billed per 67-character part in Chinese) its short form.
          MessageStructure: 'json',
          Message: JSON.stringify({ default: text, email: text, sms }),
          MessageAttributes: { alertId: { DataType: 'String', StringValue: id } },
        }),
      )
    },
  }
}
