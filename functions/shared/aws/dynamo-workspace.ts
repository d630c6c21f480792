import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ChannelMessage } from '../channels/message.ts';
import type { TaskWrite, Workspace } from '../ports.ts';
import { INDEX, SORT, tableKeys } from '../table-schema.ts';
import { Note, Task, type WorkspaceSummary } from '../workspace.ts';
import { transact, writeIf } from './conditional.ts';
import { queryItems } from './scan.ts';

/**
 * Notes and tasks as items in the lead's partition (`WS#NOTE#…`, `WS#TASK#…`), each write in one transaction
 * with the summary the lead item keeps. An open task carries the agenda index's keys; a closed one does not.
 */
export class DynamoWorkspace implements Workspace {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async timeline(leadId: string): Promise<{ notes: Note[]; tasks: Task[]; messages: ChannelMessage[] }> {
    const notes: Note[] = [];
    const tasks: Task[] = [];
    const messages: ChannelMessage[] = [];
    const { pk } = tableKeys.lead(leadId);
    for await (const item of queryItems(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :ws)',
      ExpressionAttributeValues: {
        ':pk': pk,
        ':ws': SORT.workspace,
      },
    })) {
      const note = item.kind === 'note' ? Note.safeParse(item) : undefined;
      if (note?.success) notes.push(note.data);
      const task = item.kind === 'task' ? Task.safeParse(item) : undefined;
      if (task?.success) tasks.push(task.data);
      const message = item.kind === 'message' ? ChannelMessage.safeParse(item) : undefined;
      if (message?.success) messages.push(message.data);
    }
    return { notes, tasks, messages: messages.sort((a, b) => a.at.localeCompare(b.at)) };
  }

  async addNote(
    note: Note,
    lastNote: NonNullable<WorkspaceSummary['lastNote']>,
  ): Promise<'added' | 'no-lead'> {
    const result = await transact(this.db, [
      {
        Put: {
          TableName: this.tableName,
          Item: { ...tableKeys.note(note.leadId, note.at, note.id), kind: 'note', ...note },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        // The newest note is the summary; one written at the same moment or earlier never replaces it.
        Update: {
          TableName: this.tableName,
          Key: tableKeys.lead(note.leadId),
          UpdateExpression: 'SET lastNote = :note',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(lastNote) OR lastNote.#at <= :at)',
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: { ':note': lastNote, ':at': lastNote.at },
        },
      },
    ]);
    return result.ok ? 'added' : 'no-lead';
  }

  async getTask(leadId: string, taskId: string): Promise<Task | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: tableKeys.task(leadId, taskId),
        ConsistentRead: true,
      }),
    );
    const parsed = Task.safeParse(Item);
    return parsed.success ? parsed.data : undefined;
  }

  async writeTask(write: TaskWrite): Promise<'saved' | 'conflict'> {
    const { task, expect, summary, leadVersion } = write;
    const open = task.status === 'open';
    const result = await transact(this.db, [
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...tableKeys.task(task.leadId, task.id),
            kind: 'task',
            ...task,
            ...(open
              ? {
                  agendaPk: tableKeys.agendaPartition(task.ownerId),
                  agendaSk: tableKeys.agendaSort(task.dueAt, task.leadId, task.id),
                }
              : {}),
          },
          // A new task is new; a change applies to the task as it was read (done twice is one done).
          ...(expect === 'new'
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: '#status = :status AND dueAt = :due',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':status': expect.status, ':due': expect.dueAt },
              }),
        },
      },
      {
        // The lead's summary, from all its tasks as they will be: written only over the version it was made from.
        Update: {
          TableName: this.tableName,
          Key: tableKeys.lead(task.leadId),
          UpdateExpression: `SET openTasks = :open, workspaceVersion = :next${
            summary.nextTaskDueAt ? ', nextTaskDueAt = :nextDue' : ''
          }${summary.nextTaskDueAt ? '' : ' REMOVE nextTaskDueAt'}`,
          ConditionExpression:
            leadVersion === undefined
              ? 'attribute_exists(pk) AND attribute_not_exists(workspaceVersion)'
              : 'workspaceVersion = :version',
          ExpressionAttributeValues: {
            ':open': summary.openTasks,
            ':next': (leadVersion ?? 0) + 1,
            ...(summary.nextTaskDueAt ? { ':nextDue': summary.nextTaskDueAt } : {}),
            ...(leadVersion === undefined ? {} : { ':version': leadVersion }),
          },
        },
      },
    ]);
    return result.ok ? 'saved' : 'conflict';
  }

  async agenda(ownerId: string, until: string): Promise<Task[]> {
    const tasks: Task[] = [];
    for await (const item of queryItems(this.db, {
      TableName: this.tableName,
      IndexName: INDEX.agenda,
      KeyConditionExpression: 'agendaPk = :pk AND agendaSk <= :until',
      // `~` sorts after every id character: a task due exactly at `until` is in.
      ExpressionAttributeValues: { ':pk': tableKeys.agendaPartition(ownerId), ':until': `${until}#~` },
    })) {
      const parsed = Task.safeParse(item);
      if (parsed.success) tasks.push(parsed.data);
    }
    return tasks;
  }

  async handOver(leadId: string, toOwnerId: string): Promise<number> {
    const { tasks } = await this.timeline(leadId);
    let moved = 0;
    for (const task of tasks) {
      if (task.status !== 'open' || task.ownerId === toOwnerId) continue;
      // Only a task still open and still the old owner's: one closed or moved meanwhile stays as it is.
      const written = await writeIf(() =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: tableKeys.task(leadId, task.id),
            UpdateExpression: 'SET ownerId = :to, agendaPk = :agenda',
            ConditionExpression: '#status = :open AND ownerId = :from',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':to': toOwnerId,
              ':agenda': tableKeys.agendaPartition(toOwnerId),
              ':open': 'open',
              ':from': task.ownerId,
            },
          }),
        ),
      );
      if (written) moved++;
    }
    return moved;
  }
}
