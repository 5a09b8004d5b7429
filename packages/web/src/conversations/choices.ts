import type {
  AssignableMemberRole,
  ChannelScopeKind,
  JoinMode,
  MemberRole,
  TlpLevel,
} from '@enlets/protocol';
import type { Translator } from '../i18n/i18n.js';

/**
 * The choices the conversation forms offer, from least to most restrictive. Kept here as plain lists (typed
 * against the protocol's unions, so a new value is a compile error) rather than imported as values: the
 * protocol's runtime module carries its schemas, which the page does not need.
 */
export const TLP_CHOICES = [
  'CLEAR',
  'GREEN',
  'AMBER',
  'AMBER+STRICT',
  'RED',
] as const satisfies readonly TlpLevel[];
export const JOIN_MODE_CHOICES = ['open', 'closed', 'password'] as const satisfies readonly JoinMode[];
export const SCOPE_CHOICES = [
  'adhoc',
  'country',
  'tig',
  'network',
] as const satisfies readonly ChannelScopeKind[];
export const ROLE_CHOICES = [
  'member',
  'moderator',
  'manager',
] as const satisfies readonly AssignableMemberRole[];

/** Those who run a conversation: they manage members, requests and the history setting. */
export function isManagerRole(role: MemberRole): boolean {
  return role === 'owner' || role === 'manager';
}

/** The CSS class of a marking's label (`tlp-amber-strict` for AMBER+STRICT). */
export function tlpClass(level: TlpLevel): string {
  return `tlp tlp-${level.toLowerCase().replace('+', '-')}`;
}

/** A channel scope's name, for the directory and the form. */
export function scopeName(kind: ChannelScopeKind, i18n: Translator): string {
  switch (kind) {
    case 'network':
      return i18n.t('convo.scope.network');
    case 'country':
      return i18n.t('convo.scope.country');
    case 'tig':
      return i18n.t('convo.scope.tig');
    case 'adhoc':
      return i18n.t('convo.scope.adhoc');
  }
}
