import type { MlsMember } from '@enlets/crypto';
import type { MlsLiveDevicesResponse, MlsMembershipCommits } from '@enlets/protocol';
import type { EnletsHttpClient } from '../api/http.js';

/** The signed-in devices of a conversation's current members, by user id. */
export type LiveDevices = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * One request for the whole conversation, however many members it has (ADR 0011, "Live devices for a send");
 * a user who is not a member, or has no live device, is absent. With it, what this device may commit in the
 * group now (ADR 0021: in a large group only managers add and remove, others only after a removal's grace).
 */
export async function fetchLiveDevices(
  http: EnletsHttpClient,
  conversationId: string,
): Promise<{ readonly devices: LiveDevices; readonly commits: MlsMembershipCommits }> {
  const { members, membershipCommits } = await http.get<MlsLiveDevicesResponse>(
    `/conversations/${encodeURIComponent(conversationId)}/mls/live-devices`,
  );
  return {
    devices: new Map(members.map((m) => [m.userId as string, new Set<string>(m.deviceIds)])),
    commits: membershipCommits,
  };
}

/**
 * The leaves that lost their right to read: devices of users who are no longer members, and ended devices of
 * members. This device's own leaf is never among them (it is sending).
 */
export function formerLeaves(
  members: readonly MlsMember[],
  live: LiveDevices,
  ownDeviceId: string,
): MlsMember[] {
  return members.filter((m) => m.deviceId !== ownDeviceId && live.get(m.userId)?.has(m.deviceId) !== true);
}
