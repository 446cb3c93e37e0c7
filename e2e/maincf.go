package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// systemMainCF is the default Postfix configuration. A non-default config
// directory must be listed in its alternate_config_directories (Postfix's
// set-gid tools such as postqueue/postdrop check it for non-root callers).
const systemMainCF = "/etc/postfix/main.cf"

// mainCFLock serialises edits of /etc/postfix/main.cf between test
// processes (postconf -e rewrites the file).
var mainCFLock = "/tmp/foi-e2e.main-cf.lock"

// registerAltConfigDir adds (add=true) or removes dir from
// alternate_config_directories in /etc/postfix/main.cf. Idempotent; it also
// drops entries of earlier harness runs whose directory no longer exists,
// and leaves every other entry alone.
func registerAltConfigDir(dir string, add bool) error {
	if _, err := os.Stat(systemMainCF); err != nil {
		return nil // no default instance configured; root does not need it
	}
	unlock, err := lockFile(mainCFLock)
	if err != nil {
		return fmt.Errorf("lock %s: %w", mainCFLock, err)
	}
	defer unlock()

	out, err := exec.Command("/usr/sbin/postconf", "-c", "/etc/postfix", "-h", "alternate_config_directories").Output()
	if err != nil {
		return fmt.Errorf("postconf -h alternate_config_directories: %w", err)
	}
	old := strings.FieldsFunc(strings.TrimSpace(string(out)), func(r rune) bool {
		return r == ' ' || r == ',' || r == '\t' || r == '\n'
	})
	var list []string
	found := false
	for _, e := range old {
		if e == dir {
			if add && !found {
				list = append(list, e)
			}
			found = true
			continue
		}
		if isHarnessConfDir(e) {
			if _, err := os.Stat(e); err != nil {
				continue // stale entry of an earlier run
			}
		}
		list = append(list, e)
	}
	if add && !found {
		list = append(list, dir)
	}
	if strings.Join(list, " ") == strings.Join(old, " ") {
		return nil
	}
	var cmd *exec.Cmd
	if len(list) == 0 {
		cmd = exec.Command("/usr/sbin/postconf", "-c", "/etc/postfix", "-X", "alternate_config_directories")
	} else {
		cmd = exec.Command("/usr/sbin/postconf", "-c", "/etc/postfix", "-e",
			"alternate_config_directories = "+strings.Join(list, " "))
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%v: %v: %s", cmd.Args, err, b)
	}
	return nil
}

// isHarnessConfDir reports whether a path looks like DIR/foi-e2e-*/postfix.
func isHarnessConfDir(p string) bool {
	return filepath.Base(p) == "postfix" && strings.HasPrefix(filepath.Base(filepath.Dir(p)), runDirPrefix)
}
