import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { allowedLinkHref, linkTextShowsDestination } from '../src/messaging/link-policy.js';
import { mixesScripts, safeName } from '../src/ui/safe-name.js';

describe('the link policy of message bodies', () => {
  it('lets web and mail addresses through, normalised', () => {
    assert.equal(allowedLinkHref('https://example.com'), 'https://example.com/');
    assert.equal(allowedLinkHref('HTTP://Example.COM/a?b#c'), 'http://example.com/a?b#c');
    assert.equal(allowedLinkHref('mailto:duty@police.example'), 'mailto:duty@police.example');
    // A look-alike host shows in its ASCII form: the Cyrillic а of аpple cannot pass for a Latin one.
    assert.equal(allowedLinkHref('https://аpple.example/'), 'https://xn--pple-43d.example/');
  });

  it('refuses every scheme that runs code or opens something other than a page or a mail', () => {
    for (const destination of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'java\tscript:alert(1)',
      'java\nscript:alert(1)',
      '\u0001javascript:alert(1)',
      ' javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'DATA:text/html;base64,PHNjcmlwdD4=',
      'vbscript:msgbox(1)',
      'file:///etc/passwd',
      'blob:https://example.com/x',
      'tel:+4912345',
      'intent://x#Intent;end',
    ])
      assert.equal(allowedLinkHref(destination), null, destination);
  });

  it('refuses relative, protocol-relative and other forms a reader cannot check', () => {
    for (const destination of [
      '//evil.example/',
      '/\\evil.example',
      '/relative/path',
      '#fragment',
      'https:evil.example',
      'http:/evil.example',
      'https:\\\\evil.example',
      'https://police.example@evil.example/',
      'https://user:pass@evil.example/',
      'https://',
      'mailto:',
      'https://example.com/\u202Egpj.exe',
      'https://exa\u200Bmple.com/',
      'https://example.com/ x',
    ])
      assert.equal(allowedLinkHref(destination), null, destination);
  });

  it('says when the words of a link are not its destination', () => {
    assert.equal(linkTextShowsDestination('https://example.com', 'https://example.com/'), true);
    assert.equal(linkTextShowsDestination('duty@police.example', 'mailto:duty@police.example'), true);
    assert.equal(linkTextShowsDestination('the briefing', 'https://example.com/'), false);
    assert.equal(linkTextShowsDestination('https://bank.example', 'https://evil.example/'), false);
    assert.equal(linkTextShowsDestination('https://аpple.example', 'https://xn--pple-43d.example/'), false);
  });
});

describe('names that cannot impersonate', () => {
  it('keeps ordinary names of every alphabet as they are', () => {
    for (const name of [
      'Anna Schmidt',
      'Bruno Lefèvre',
      'Zażółć Gęślą',
      'Иван Петров',
      'Γιώργος Παπαδόπουλος',
      'Иван Smith',
      'محمد علي',
      'דוד כהן',
      '田中 たなか',
      '東京タワー',
      '김민준 金',
      'O’Brien-Smith',
      'Team 👩‍🚒 Nord',
      'می‌خواهم',
    ])
      assert.deepEqual(safeName(name), { text: name, warnings: [] }, name);
  });

  it('removes bidi controls and invisible characters, and says so', () => {
    const reversed = safeName('Anna\u202Enimda');
    assert.equal(reversed.text, 'Annanimda');
    assert.deepEqual(reversed.warnings, ['hidden-characters']);
    for (const control of [
      '\u202A',
      '\u202B',
      '\u202C',
      '\u202D',
      '\u202E',
      '\u2066',
      '\u2067',
      '\u2068',
      '\u2069',
      '\u200E',
      '\u200F',
      '\u061C',
      '\u200B',
      '\u2060',
      '\uFEFF',
      '\u00AD',
      '\u3164',
      '\u{E0041}',
    ]) {
      const named = safeName(`Bru${control}no`);
      assert.equal(named.text, 'Bruno', `U+${control.codePointAt(0)?.toString(16) ?? ''}`);
      assert.deepEqual(named.warnings, ['hidden-characters']);
    }
    assert.deepEqual(safeName('\u200B\u200B'), { text: '', warnings: ['hidden-characters'] });
  });

  it('collapses spaces of every kind, so two names cannot differ only there', () => {
    assert.deepEqual(safeName(' Anna\u3000\u00A0 Schmidt\n'), { text: 'Anna Schmidt', warnings: [] });
  });

  it('flags one word mixing alphabets, the look-alike trick, but not words in different alphabets', () => {
    assert.deepEqual(safeName('Аnna Schmidt').warnings, ['mixed-scripts']); // Cyrillic А
    assert.deepEqual(safeName('pаypal').warnings, ['mixed-scripts']);
    assert.deepEqual(safeName('Αnna').warnings, ['mixed-scripts']); // Greek Alpha
    assert.equal(mixesScripts('Иван'), false);
    assert.equal(mixesScripts('Smith'), false);
    assert.equal(mixesScripts('Anna2'), false);
    assert.equal(mixesScripts('日本語とカタカナ'), false);
    assert.equal(mixesScripts('한국漢字'), false);
    assert.equal(mixesScripts('Hello世界'), true);
    const both = safeName('Аnna\u202E');
    assert.deepEqual(both.warnings, ['hidden-characters', 'mixed-scripts']);
  });
});
