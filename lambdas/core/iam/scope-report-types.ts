/**
 * The shapes of the report's permissions during a scope (scope-report.ts), apart from the code that builds
 * them: the console reads the same types without the code's imports.
 */
import type { IamChange } from './types';

/** A change as the report lists it: the logged facts of the event (as in IamChange), said in one sentence. */
export interface ScopeChange extends Pick<IamChange, 'Time' | 'EventId' | 'EventName' | 'By' | 'Session' | 'SourceIp' | 'Succeeded' | 'ErrorCode'> {
  /** One sentence, e.g. "AdministratorAccess attached to role X by arn:… (session ASIA…, from 1.2.3.4)". */
  Says: string;
}

export interface PermissionsInScope {
  EntityType: 'ROLE' | 'USER';
  AccountId: string;
  Name: string;
  ExistedAtStart: boolean | null;
  ExistsAtEnd: boolean | null;
  /** Held at some moment of the scope. */
  AttachedPolicies: string[];
  InlinePolicies: string[];
  PermissionsBoundaries: string[];
  /** Trust principals outside the account (roles), with their flags, at some moment of the scope. */
  ExternalPrincipals: { Principal: string; Flags: string[] }[];
  Coverage: 'FULL' | 'PARTIAL';
  CoverageReason: string;
  Changes: ScopeChange[];
  /** Changes in the scope in all (Changes keeps the first MAX_SCOPE_CHANGES). */
  ChangesInScope: number;
}
