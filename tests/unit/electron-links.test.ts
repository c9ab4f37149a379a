import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkFromArgv, parseImLink, parseShellArgs, sipAddress } from '../../main/electron/links.ts';

test('sip: and im: links → a SIP address', () => {
  assert.equal(parseImLink('sip:alice@contoso.com'), 'sip:alice@contoso.com');
  assert.equal(parseImLink('SIP:Alice.Smith@Contoso.COM'), 'sip:Alice.Smith@contoso.com');
  assert.equal(parseImLink('im:bob@fabrikam.co.uk'), 'sip:bob@fabrikam.co.uk');
  assert.equal(parseImLink('im:sip:bob@fabrikam.com'), 'sip:bob@fabrikam.com');
  assert.equal(parseImLink('im:<sip:bob@fabrikam.com>'), 'sip:bob@fabrikam.com');
  assert.equal(parseImLink('sip://carol@contoso.com/'), 'sip:carol@contoso.com', 'what some browsers hand over');
  assert.equal(parseImLink('sip:first%2Blast@contoso.com'), 'sip:first+last@contoso.com');
  assert.equal(sipAddress('dave@contoso.com'), 'sip:dave@contoso.com');
});

test('anything else is rejected', () => {
  for (const bad of [
    '', 'sip:', 'im:', 'sip:alice', 'sip:@contoso.com', 'sip:alice@', 'sip:alice@contoso', 'sip:alice@@contoso.com', 'sip:a@b@contoso.com',
    'sip:alice@contoso.com;transport=tls', 'sip:alice@contoso.com?subject=x', 'sip:alice@contoso.com/path', 'sip:alice@10.0.0.1',
    'sip:alice@-contoso.com', 'sip:alice@contoso..com', 'sip:al ice@contoso.com', 'sip:alice@contoso.com%0aX', 'sip:%E0%A4%A@contoso.com',
    'http://contoso.com', 'javascript:alert(1)', 'tel:+123', 'sips:alice@contoso.com', 'sip:<script>@contoso.com',
    `sip:${'a'.repeat(65)}@contoso.com`, `sip:a@${'b'.repeat(300)}.com`, 'x'.repeat(600),
  ]) {
    assert.equal(parseImLink(bad), null, bad);
  }
  assert.equal(parseImLink(42), null);
  assert.equal(parseImLink(null), null);
});

test('argv: first valid link; shell switches', () => {
  assert.equal(linkFromArgv(['/opt/UCWA Tray/ucwa-tray', '--no-sandbox', 'sip:alice@contoso.com']), 'sip:alice@contoso.com');
  assert.equal(linkFromArgv(['app', 'sip:bad', 'im:bob@contoso.com']), 'sip:bob@contoso.com');
  assert.equal(linkFromArgv(['app', '--demo']), null);
  assert.deepEqual(parseShellArgs(['--demo']), { demo: true, hidden: false, link: null });
  assert.deepEqual(parseShellArgs(['--hidden', 'im:x@y.com']), { demo: false, hidden: true, link: 'sip:x@y.com' });
});
