import type { InstanceSession } from '../core/guardduty/instance';
import type { InstanceSessionSource } from '../core/guardduty/ports';
import type { TrailQueries } from './trail-queries';

/** The GuardDuty trigger's view of an EC2 instance's sessions (core/guardduty/ports.ts), over the trail tables. */
export class TrailInstanceSessions implements InstanceSessionSource {
  constructor(private readonly queries: Pick<TrailQueries, 'instanceProfileSessions'>) {}

  async instanceSessions(accountId: string, instanceId: string, from: string, to: string): Promise<InstanceSession[]> {
    const sessions = await this.queries.instanceProfileSessions(instanceId, from, to, accountId);
    return sessions.map((session) => ({ issuerArn: session.issuerArn, createdAt: session.createdAt, ...(session.accountId ? { accountId: session.accountId } : {}) }));
  }
}
