import { tlpRank, type Role, type TlpLevel } from '@enlets/protocol';
import { DomainError } from './errors.js';

/**
 * Traffic Light Protocol 2.0, enforced by the server on membership and forwarding (docs/security-model.md).
 * "Organisation" here is the ENLETS network: vetted law-enforcement members. Partner guests are outside it.
 */
const NETWORK_ROLES: ReadonlySet<Role> = new Set<Role>([
  'secretariat_admin',
  'ncp',
  'core_group',
  'tig_lead',
  'lea_member',
]);

export function isNetworkMember(roles: ReadonlyArray<{ readonly role: Role }>): boolean {
  return roles.some((g) => NETWORK_ROLES.has(g.role));
}

/**
 * May a person with these roles be a member of a conversation marked `tlp`? AMBER+STRICT and RED stay inside
 * the network: a partner guest can not be added (TLP 2.0: AMBER+STRICT "only to members of their own
 * organisation"; RED "only to the named recipients present", which we read as vetted members named by a manager).
 */
export function checkMemberAllowed(tlp: TlpLevel, roles: ReadonlyArray<{ readonly role: Role }>): void {
  if (tlpRank(tlp) >= tlpRank('AMBER+STRICT') && !isNetworkMember(roles)) {
    throw new DomainError(
      'TLP_VIOLATION',
      `a partner guest cannot be a member of a TLP:${tlp} conversation`,
      {
        rule: 'guest_excluded_from_strict',
        tlp,
      },
    );
  }
}

/**
 * May a message marked `messageTlp` be forwarded into a conversation marked `targetTlp` whose members include
 * partner guests (`targetHasGuests`)? Never for RED; never into a conversation marked lower than the message;
 * AMBER+STRICT never to a conversation with partner guests.
 */
export function checkForwardAllowed(
  messageTlp: TlpLevel,
  targetTlp: TlpLevel,
  targetHasGuests: boolean,
): void {
  if (messageTlp === 'RED') {
    throw new DomainError(
      'TLP_VIOLATION',
      'TLP:RED messages are for the people present only and cannot be forwarded',
      {
        rule: 'red_no_forward',
      },
    );
  }
  if (tlpRank(targetTlp) < tlpRank(messageTlp)) {
    throw new DomainError(
      'TLP_VIOLATION',
      `a TLP:${messageTlp} message cannot go into a TLP:${targetTlp} conversation`,
      {
        rule: 'target_marked_lower',
        messageTlp,
        targetTlp,
      },
    );
  }
  if (messageTlp === 'AMBER+STRICT' && targetHasGuests) {
    throw new DomainError(
      'TLP_VIOLATION',
      'TLP:AMBER+STRICT stays inside the network: the target has partner guests',
      {
        rule: 'strict_to_guests',
      },
    );
  }
}

/** Lowering a conversation's marking would relabel what was shared under the higher one. */
export function checkTlpChange(
  from: TlpLevel,
  to: TlpLevel,
  memberRoles: ReadonlyArray<ReadonlyArray<{ readonly role: Role }>>,
): void {
  if (tlpRank(to) < tlpRank(from)) {
    throw new DomainError(
      'TLP_VIOLATION',
      `the marking can be raised, not lowered (from TLP:${from} to TLP:${to})`,
      {
        rule: 'no_downgrade',
      },
    );
  }
  for (const roles of memberRoles) checkMemberAllowed(to, roles);
}
