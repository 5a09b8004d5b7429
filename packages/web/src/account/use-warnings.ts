import { useEffect, useState } from 'react';
import type { SecurityWarning } from '@enlets/client';
import type { SecureSession } from '../e2ee/secure-session.js';

/**
 * The security warnings (refused messages, handshakes and devices) the worker reported in this session that
 * match `concerns`, including those from before the screen opened; live ones follow.
 */
export function useWarnings(
  session: SecureSession,
  concerns: (warning: SecurityWarning) => boolean,
): readonly SecurityWarning[] {
  const [warnings, setWarnings] = useState<readonly SecurityWarning[]>(() =>
    session.recentWarnings().filter(concerns),
  );
  useEffect(() => {
    setWarnings(session.recentWarnings().filter(concerns));
    return session.on('warning', (warning) => {
      if (concerns(warning)) setWarnings((current) => [...current, warning]);
    });
  }, [session, concerns]);
  return warnings;
}

/** Each reason once, newest first: a refused device re-announces itself with every message. */
export function distinctReasons(warnings: readonly SecurityWarning[]): string[] {
  const reasons: string[] = [];
  for (const warning of [...warnings].reverse()) {
    const details = warning.failures.map((f) => f.message);
    const reason = [warning.reason, ...details.filter((d) => d !== warning.reason)].join(' ');
    if (!reasons.includes(reason)) reasons.push(reason);
  }
  return reasons;
}
