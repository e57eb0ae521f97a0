import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildSeccompProfileSource } from './seccomp.ts';

interface Profile {
  defaultAction: string;
  syscalls: { names: string[]; action: string; errnoRet?: number }[];
}

const profile = JSON.parse(readFileSync(buildSeccompProfileSource, 'utf8')) as Profile;
const denied = new Set(profile.syscalls.filter((rule) => rule.action === 'SCMP_ACT_ERRNO').flatMap((rule) => rule.names));

test('the build profile keeps what buildah\'s chroot isolation needs', () => {
  assert.equal(profile.defaultAction, 'SCMP_ACT_ALLOW');
  for (const name of ['unshare', 'clone', 'clone3', 'setns', 'mount', 'umount2', 'chroot', 'pivot_root', 'sethostname', 'setuid', 'setgid', 'setgroups']) {
    assert.ok(!denied.has(name), `${name} stays allowed`);
  }
});

test('the build profile refuses, with EPERM, the kernel interfaces a build never needs', () => {
  for (const name of ['init_module', 'finit_module', 'kexec_load', 'bpf', 'perf_event_open', 'userfaultfd', 'keyctl', 'add_key', 'ptrace', 'open_by_handle_at', 'io_uring_setup', 'reboot', 'swapon']) {
    assert.ok(denied.has(name), `${name} is refused`);
  }
  for (const rule of profile.syscalls) assert.equal(rule.errnoRet, 1, 'EPERM, so a tool that probes a syscall falls back instead of dying');
});
