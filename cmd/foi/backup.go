package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"foi/backup"
	"foi/store"
)

// cmdBackup writes the data folder to one archive (backup.Create), safe to
// run while foi serve is running.
func (a *app) cmdBackup(ctx context.Context, args []string) error {
	fs := a.flags("backup")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("backup FILE.tar.gz")
	}
	cfg, st, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	bar := a.newBar()
	m, err := backup.CreateWithProgress(ctx, st, pos[0], a.now(), func(done, total int) {
		bar.show(done, total, "files archived")
	})
	bar.end()
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(map[string]any{"file": pos[0], "manifest": m})
	}
	fmt.Fprintf(a.stdout, "Backed up %s to %s: the database, %s and %s (%s before compression).\n",
		cfg.DataDir(), pos[0], count(m.Mail, "message", "messages"), count(m.Files, "file", "files"), humanBytes(m.Bytes))
	return nil
}

// cmdRestore unpacks an archive into a new folder (backup.Restore). It
// needs no foi.yaml: a restore is often onto a machine that has none yet.
func (a *app) cmdRestore(ctx context.Context, args []string) error {
	fs := a.flags("restore")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usagef("restore FILE.tar.gz DIR (DIR must be new or empty)")
	}
	dir, err := filepath.Abs(pos[1])
	if err != nil {
		return err
	}
	m, rep, err := backup.Restore(ctx, pos[0], dir)
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(map[string]any{"dir": dir, "manifest": m, "check": rep})
	}
	fmt.Fprintf(a.stdout, "Restored the backup of %s into %s: the database, %s and %s, every hash checked.\n",
		m.CreatedAt.Format("2006-01-02 15:04 MST"), dir, count(m.Mail, "message", "messages"), count(m.Files, "file", "files"))
	fmt.Fprintf(a.stdout, "To use it, stop foi serve, then set in foi.yaml:\n\n  storage:\n    data_dir: %s\n\nand run `foi check` to confirm.\n", dir)
	return nil
}

// cmdCheck verifies a data folder (backup.Check): problems make it fail,
// orphans are warnings.
func (a *app) cmdCheck(ctx context.Context, args []string) error {
	fs := a.flags("check")
	data := fs.String("data", "", "check this data folder instead of foi.yaml's")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("check [--data DIR]")
	}
	dir := *data
	if dir == "" {
		cfg, err := a.loadConfig()
		if err != nil {
			return err
		}
		dir = cfg.DataDir()
	}
	st, err := openExisting(ctx, dir)
	if err != nil {
		return err
	}
	defer st.Close()
	rep, err := backup.Check(ctx, st)
	if err != nil {
		return fmt.Errorf("check %s: %w", dir, err)
	}
	if a.json {
		if err := a.printJSON(rep); err != nil {
			return err
		}
	} else {
		for _, p := range rep.Problems {
			fmt.Fprintf(a.stdout, "problem: %s\n", p)
		}
		for _, o := range rep.Orphans {
			fmt.Fprintf(a.stdout, "warning: %s is an orphan: no row names it\n", o)
		}
		fmt.Fprintf(a.stdout, "Checked %s: the database, %s naming %s and %s; %s, %s.\n",
			dir, count(rep.Rows, "row", "rows"), count(rep.Mail, "message", "messages"), count(rep.Files, "file", "files"),
			count(len(rep.Problems), "problem", "problems"), count(len(rep.Orphans), "orphan", "orphans"))
	}
	if !rep.OK() {
		return fmt.Errorf("check %s: %s found", dir, count(len(rep.Problems), "problem", "problems"))
	}
	return nil
}

// openExisting opens the data folder dir for foi check, refusing one with no
// database at all: unlike store.OpenExisting, which every other command
// uses, it never makes a database in an empty folder, since a check of a
// folder with nothing in it has nothing to pass.
func openExisting(ctx context.Context, dir string) (*store.Store, error) {
	db := filepath.Join(dir, store.DatabaseFile)
	if _, err := os.Stat(db); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no database at %s: is storage.data_dir in foi.yaml right? (`foi init` makes a new one)", db)
	} else if err != nil {
		return nil, err
	}
	return store.Open(ctx, dir)
}

// humanBytes writes a size as B, kB, MB or GB.
func humanBytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGT"[exp])
}
