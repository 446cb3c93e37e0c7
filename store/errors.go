package store

import (
	"errors"

	"github.com/mattn/go-sqlite3"
)

// isDuplicate reports whether SQLite refused a row because it would repeat
// a UNIQUE or PRIMARY KEY value; the store turns that into ErrExists.
func isDuplicate(err error) bool {
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return false
	}
	return se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey
}
