# Runs `age -p -o TARGET SOURCE` in a pseudo-terminal and types PASSPHRASE at both of its
# prompts: age reads a passphrase from the terminal only. Usage: age-p.py PASSPHRASE SOURCE TARGET
import os, pty, sys, time
passphrase, source, target = sys.argv[1], sys.argv[2], sys.argv[3]
pid, fd = pty.fork()
if pid == 0:
    os.execvp("age", ["age", "-p", "-o", target, source])
out = b""
for prompt in (b"passphrase", b"Confirm"):
    while prompt not in out:
        out += os.read(fd, 1024)
    os.write(fd, passphrase.encode() + b"\n")
    if prompt == b"passphrase":
        out = b""
try:
    while os.read(fd, 1024):
        pass
except OSError:
    pass
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
