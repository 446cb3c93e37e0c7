package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"foi/store"
)

// Report is what Check found. Problems are damage (a database that fails its
// integrity check, a blob that is missing or whose hash is wrong); Orphans
// are blobs that no row names, which do no harm and are only reported.
type Report struct {
	Problems []string `json:"problems"`
	Orphans  []string `json:"orphans"`
	// Rows is how many rows name a blob; Mail and Files how many distinct
	// blobs of each kind were read and hashed.
	Rows  int `json:"rows"`
	Mail  int `json:"mail"`
	Files int `json:"files"`
}

// OK reports whether nothing is damaged (orphans aside).
func (r Report) OK() bool { return len(r.Problems) == 0 }

// Check verifies a data folder: the database (PRAGMA integrity_check and
// foreign keys), and that every message row's raw file and every attachment
// row's file exists with the SHA-256 its name and row give. Files in the
// blob folders that no row names are orphans. An error means the check
// itself could not run.
func Check(ctx context.Context, st *store.Store) (Report, error) {
	var rep Report
	problems, err := st.IntegrityCheck(ctx)
	if err != nil {
		return rep, err
	}
	rep.Problems = append(rep.Problems, problems...)

	refs, err := st.BlobRefs(ctx)
	if err != nil {
		return rep, err
	}
	rep.Rows = len(refs)
	type blob struct {
		kind store.BlobKind
		sum  string
	}
	rows := map[blob][]string{}
	var order []blob
	for _, r := range refs {
		b := blob{r.Kind, r.SHA256}
		if rows[b] == nil {
			order = append(order, b)
		}
		rows[b] = append(rows[b], r.Row)
	}
	for _, b := range order {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		name := path.Join(string(b.kind), store.BlobName(b.sum))
		who := strings.Join(rows[b], ", ")
		got, err := hashFile(st.BlobPath(b.kind, b.sum))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			rep.Problems = append(rep.Problems, fmt.Sprintf("%s is missing (named by %s)", name, who))
			continue
		case err != nil:
			rep.Problems = append(rep.Problems, fmt.Sprintf("%s cannot be read (named by %s): %v", name, who, err))
			continue
		case got != b.sum:
			rep.Problems = append(rep.Problems, fmt.Sprintf("%s is corrupt: its SHA-256 is %s (named by %s)", name, got, who))
			continue
		}
		switch b.kind {
		case store.MailBlob:
			rep.Mail++
		case store.FileBlob:
			rep.Files++
		}
	}

	for _, kind := range store.BlobKinds {
		files, err := st.BlobFiles(kind)
		if err != nil {
			return rep, err
		}
		var orphans []string
		for name := range files {
			sum := path.Base(name)
			if name == store.BlobName(sum) && rows[blob{kind, sum}] != nil {
				continue
			}
			orphans = append(orphans, path.Join(string(kind), name))
		}
		sort.Strings(orphans)
		rep.Orphans = append(rep.Orphans, orphans...)
	}
	return rep, nil
}

// hashFile returns the hex SHA-256 of the file at p, reading it in pieces.
func hashFile(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
