package calendar

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ImportedFile is where a data folder keeps the official bank holidays
// imported into it (foi holidays import), in gov.uk's format.
const ImportedFile = "bank-holidays.json"

// Load is the embedded calendar with the official data imported into the
// data folder dir, if any.
func Load(dir string) (*Calendar, error) {
	path := filepath.Join(dir, ImportedFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return New(), nil
	}
	if err != nil {
		return nil, err
	}
	src, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return New(src), nil
}

// Import lays newer official data (gov.uk's bank-holidays.json) over what
// the data folder dir holds and saves it there, returning the years it
// covers. Nothing is written unless data parses.
func Import(dir string, data []byte) ([]int, error) {
	src, err := Parse(data)
	if err != nil {
		return nil, err
	}
	cal, err := Load(dir)
	if err != nil {
		return nil, err
	}
	out, err := New(cal.Official(), src).Official().MarshalJSON()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	tmp := filepath.Join(dir, ImportedFile+".tmp")
	if err := os.WriteFile(tmp, out, 0o600); err != nil {
		return nil, err
	}
	return src.Years(), os.Rename(tmp, filepath.Join(dir, ImportedFile))
}
