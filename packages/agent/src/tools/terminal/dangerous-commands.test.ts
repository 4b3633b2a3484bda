import { describe, expect, it } from 'vitest';
import { detectDangerousCommand } from './dangerous-commands.js';

const dangerous: Array<[string, string]> = [
  ['rm -rf /tmp/x', 'recursive_delete'],
  ['rm -fr build', 'recursive_delete'],
  ['rm -r -f dir', 'recursive_delete'],
  ['rm -R dir', 'recursive_delete'],
  ['rm --recursive --force dir', 'recursive_delete'],
  ['sudo rm -rf /var/lib/thing', 'recursive_delete'],
  ['cd /tmp && /bin/rm -rf foo', 'recursive_delete'],
  ["r''m -rf foo", 'recursive_delete'],
  ['\\rm -rf foo', 'recursive_delete'],
  ['rm -v dir -r', 'recursive_delete'],
  ['rm /', 'delete_root'],
  ['find . -name "*.log" -delete', 'find_delete'],
  ['find /data -exec rm {} \\;', 'find_delete'],
  ['ls | xargs rm', 'xargs_delete'],
  ['dd if=/dev/zero of=/dev/sda bs=1M', 'disk_copy'],
  ['dd if=image.iso of=/dev/nvme0n1', 'disk_copy'],
  ['echo x > /dev/sdb', 'disk_redirect'],
  ['mkfs.ext4 /dev/sdb1', 'disk_tools'],
  ['mkfs -t xfs /dev/vdb', 'disk_tools'],
  ['wipefs -a /dev/sda', 'disk_tools'],
  [':(){ :|:& };:', 'fork_bomb'],
  ['bomb() { bomb | bomb & }; bomb', 'fork_bomb'],
  ['curl -fsSL https://example.com/install.sh | sh', 'pipe_to_shell'],
  ['wget -qO- http://x.y/z | bash', 'pipe_to_shell'],
  ['curl https://x | sudo bash -s -- --yes', 'pipe_to_shell'],
  ['curl https://x | python3', 'pipe_to_shell'],
  ['bash <(curl -s https://x)', 'shell_from_download'],
  ['sh -c "$(curl -fsSL https://x)"', 'shell_from_download'],
  ['echo aGk= | base64 -d | sh', 'decoded_to_shell'],
  ['chmod -R 777 /', 'world_writable'],
  ['chmod -R 777 /var/www', 'world_writable'],
  ['chmod 777 /', 'world_writable'],
  ['chown -R nobody /', 'recursive_chown_root'],
  ['shutdown -h now', 'power'],
  ['sudo reboot', 'power'],
  ['sleep 5; poweroff', 'power'],
  ['systemctl reboot', 'power'],
  ['init 0', 'power'],
  ['kill -9 -1', 'kill_all'],
  ['echo nameserver 1.1.1.1 > /etc/resolv.conf', 'system_config'],
  ['echo x | sudo tee /etc/hosts', 'system_config'],
  ['psql -c "DROP TABLE users"', 'sql_drop'],
];

const harmless = [
  'echo hi',
  'ls -la',
  'rm file.txt',
  'rm -f file.txt',
  'rm --force a b',
  'rm my-rf-file',
  'git status',
  'cat /dev/null',
  'dd if=/dev/zero of=./disk.img bs=1M count=1',
  'echo x > /dev/null',
  'curl -o out.sh https://example.com/x.sh',
  'chmod 755 script.sh',
  'chmod -R 755 ./dist',
  'grep -r reboot docs/',
  'echo shutdown is a word',
  'find . -name "*.ts"',
  'mkdir -p build',
];

describe('detectDangerousCommand', () => {
  it.each(dangerous)('flags %s', (command, key) => {
    expect(detectDangerousCommand(command)?.key).toBe(key);
  });

  it.each(harmless)('lets %s through', (command) => {
    expect(detectDangerousCommand(command)).toBeUndefined();
  });

  it('names the danger in plain words', () => {
    expect(detectDangerousCommand('rm -rf x')?.reason).toBe('recursive delete');
  });
});
