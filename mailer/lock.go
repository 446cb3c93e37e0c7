package mailer

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// Lock takes the data folder's outbox lock (dir/outbox.lock), so that two
// processes never drain the same outbox at once; unlock releases it, and so
// does the process ending, however it ends.
func Lock(dir string) (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(dir, "outbox.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("outbox lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("another foi is sending from %s (outbox.lock is held); wait for it to finish", dir)
	}
	return func() { f.Close() }, nil
}
