import { useEffect, useState } from 'react';
import type { Presence, SecureSession } from '../e2ee/secure-session.js';

/** A person's presence as last announced on the connection, following changes; undefined when not known. */
export function usePresence(session: SecureSession, userId: string | undefined): Presence | undefined {
  const [presence, setPresence] = useState<Presence | undefined>(() =>
    userId === undefined ? undefined : session.presenceOf(userId),
  );
  useEffect(() => {
    if (userId === undefined) return undefined;
    setPresence(session.presenceOf(userId));
    return session.on('signal', (signal) => {
      if (signal.type === 'presence' ? signal.userId === userId : signal.type === 'presences')
        setPresence(session.presenceOf(userId));
    });
  }, [session, userId]);
  return presence;
}
