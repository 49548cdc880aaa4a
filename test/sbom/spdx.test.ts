import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCopyrightLicenses, parsePackagesIndex, parseStatusDetails } from '../../src/sbom/deb-metadata.js';
import { buildSpdx } from '../../src/sbom/spdx.js';

const STATUS = `Package: libzstd1
Status: install ok installed
Architecture: amd64
Source: libzstd (1.5.6+dfsg-2)
Version: 1.5.6+dfsg-2

Package: zstd
Status: install ok installed
Architecture: amd64
Source: libzstd
Version: 1.5.6+dfsg-2

Package: gone
Status: deinstall ok config-files
Architecture: amd64
Version: 1
`;

const PACKAGES = `Package: zstd
Version: 1.5.6+dfsg-2
Architecture: amd64
SHA256: ${'a'.repeat(64)}
`;

const COPYRIGHT = `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/

Files: *
License: BSD-3-clause or GPL-2

Files: debian/*
License: GPL-2+
`;

test('dpkg status, Packages index and DEP-5 copyright are parsed', () => {
  const pkgs = parseStatusDetails(STATUS);
  assert.deepEqual(pkgs.map((p) => [p.name, p.source, p.sourceVersion]), [['libzstd1', 'libzstd', '1.5.6+dfsg-2'], ['zstd', 'libzstd', '1.5.6+dfsg-2']]);
  assert.equal(parsePackagesIndex([PACKAGES]).get('zstd 1.5.6+dfsg-2 amd64'), 'a'.repeat(64));
  assert.deepEqual(parseCopyrightLicenses(COPYRIGHT), ['BSD-3-clause or GPL-2', 'GPL-2+']);
  assert.deepEqual(parseCopyrightLicenses('free-form text\n'), []);
});

test('SPDX 2.3: one package per .deb with source, licenses, checksum and purl; deterministic', () => {
  const input = {
    name: 'rootfs@amd64', packages: parseStatusDetails(STATUS), debSha256: parsePackagesIndex([PACKAGES]),
    licenses: new Map([['zstd', parseCopyrightLicenses(COPYRIGHT)]]), sourceDateEpoch: 1700000000, builder: 'test',
  };
  const text = buildSpdx(input);
  assert.equal(text, buildSpdx(input));
  const doc = JSON.parse(text) as { spdxVersion: string; creationInfo: { created: string }; documentNamespace: string; packages: Record<string, unknown>[] };
  assert.equal(doc.spdxVersion, 'SPDX-2.3');
  assert.equal(doc.creationInfo.created, '2023-11-14T22:13:20Z');
  assert.match(doc.documentNamespace, /^https:\/\/powernode\.dev\/spdx\/rootfs@amd64\/[0-9a-f]{64}$/);
  const zstd = doc.packages.find((p) => p.name === 'zstd');
  assert.ok(zstd);
  assert.equal(zstd.licenseDeclared, '(BSD-3-clause OR GPL-2) AND GPL-2+');
  assert.deepEqual(zstd.checksums, [{ algorithm: 'SHA256', checksumValue: 'a'.repeat(64) }]);
  assert.equal(zstd.sourceInfo, 'built from Debian source package libzstd 1.5.6+dfsg-2');
  assert.equal(doc.packages.find((p) => p.name === 'libzstd1')?.licenseDeclared, 'NOASSERTION');
});
