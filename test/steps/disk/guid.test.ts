import { test } from 'node:test';
import assert from 'node:assert/strict';
import { POWERNODE_DISK_NAMESPACE, cellUuid, fatUuidString, shortId, uuid5 } from '../../../src/steps/disk/guid.js';

const DNS_NAMESPACE = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';

test('uuid5 matches the RFC 9562 / Python uuid.uuid5 vectors', () => {
  assert.equal(uuid5(DNS_NAMESPACE, 'www.example.com'), '2ed6657d-e927-568b-95e1-2665a8aea6a2');
  assert.equal(uuid5(DNS_NAMESPACE, 'disk.powernode-image-builder'), POWERNODE_DISK_NAMESPACE);
});

test('cell ids are stable, versioned and distinct per variant, arch, role and name', () => {
  const raw = { variant: 'raw', arch: 'amd64' };
  const root = cellUuid(raw, 'part', 'root');
  assert.equal(root, cellUuid({ variant: 'raw', arch: 'amd64' }, 'part', 'root'));
  assert.equal(root, uuid5(POWERNODE_DISK_NAMESPACE, 'raw/amd64/part/root'));
  assert.match(root, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const others = [
    cellUuid({ variant: 'raw', arch: 'arm64' }, 'part', 'root'),
    cellUuid({ variant: 'arm64-uefi', arch: 'amd64' }, 'part', 'root'),
    cellUuid(raw, 'fs', 'root'),
    cellUuid(raw, 'part', 'esp'),
    cellUuid(raw, 'disk'),
  ];
  assert.equal(new Set([root, ...others]).size, others.length + 1);
});

test('short ids are the first 32 bits, printed the way GRUB and blkid print FAT ids', () => {
  const scope = { variant: 'raw', arch: 'amd64' };
  const id = shortId(scope, 'fs', 'esp');
  assert.equal(id, cellUuid(scope, 'fs', 'esp').slice(0, 8).toUpperCase());
  assert.equal(fatUuidString('1A2B3C4D'), '1A2B-3C4D');
});
