import { beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '../../functions/shared/aws/clients.ts';
import { DynamoMessageLog } from '../../functions/shared/aws/dynamo-message-log.ts';
import { DynamoWorkspace } from '../../functions/shared/aws/dynamo-workspace.ts';
import type { ChannelMessage } from '../../functions/shared/channels/message.ts';
import { freshResources, type TestAws } from '../support/aws.ts';

let aws: TestAws;
let log: DynamoMessageLog;
let workspace: DynamoWorkspace;

beforeAll(async () => {
  aws = await freshResources('messages');
  const db = documentClient(aws.dynamodb);
  log = new DynamoMessageLog(db, aws.resources.tableName);
  workspace = new DynamoWorkspace(db, aws.resources.tableName);
});

const attempt = (leadId: string, overrides: Partial<ChannelMessage> = {}): ChannelMessage => ({
  id: `assignment#${leadId}#sara#2026-03-19T16:00:00.000Z#whatsapp`,
  leadId,
  notice: 'assignment',
  channel: 'whatsapp',
  to: 'rep:sara',
  at: '2026-03-19T16:00:01.000Z',
  outcome: 'sent',
  externalId: 'wamid.X',
  status: 'sent',
  ...overrides,
});

describe("the lead's message timeline", () => {
  it('keeps a status that arrived before the attempt was written (Meta can be that fast)', async () => {
    const leadId = crypto.randomUUID();
    const message = attempt(leadId);
    expect(
      await log.updateStatus(leadId, message.id, 'failed', '2026-03-19T16:00:01.500Z', 'WhatsApp 131026'),
    ).toBe('updated');
    await log.record(message);
    const { messages } = await workspace.timeline(leadId);
    expect(messages).toEqual([
      expect.objectContaining({
        channel: 'whatsapp',
        outcome: 'sent',
        status: 'failed',
        detail: 'WhatsApp 131026',
      }),
    ]);
  });

  it('never takes a status back, and never writes a failed retry over a sent attempt', async () => {
    const leadId = crypto.randomUUID();
    const message = attempt(leadId);
    await log.record(message);
    expect(await log.updateStatus(leadId, message.id, 'read', '2026-03-19T16:00:05.000Z')).toBe('updated');
    expect(await log.updateStatus(leadId, message.id, 'delivered', '2026-03-19T16:00:03.000Z')).toBe(
      'ignored',
    );
    await log.record({ ...message, outcome: 'failed', detail: 'retry failed', status: undefined });
    const { messages } = await workspace.timeline(leadId);
    expect(messages).toEqual([expect.objectContaining({ outcome: 'sent', status: 'read' })]);
  });
});
