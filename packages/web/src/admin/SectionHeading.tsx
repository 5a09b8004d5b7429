import { useEffect, useRef, type ReactNode } from 'react';

/**
 * The heading of a console section, which takes the keyboard focus when the section opens: a screen reader
 * announces where the person is, and Tab continues from the top of the new section.
 */
export function SectionHeading({
  id,
  children,
}: {
  readonly id: string;
  readonly children: ReactNode;
}): ReactNode {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, []);
  return (
    <h1 id={id} ref={heading} tabIndex={-1} className="admin-heading">
      {children}
    </h1>
  );
}

/** A polite announcement of what just happened (a role granted, a mail queued again); nothing when empty. */
export function Announcement({ text }: { readonly text: string }): ReactNode {
  return (
    <p role="status" className="admin-announcement">
      {text}
    </p>
  );
}
