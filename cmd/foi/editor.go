package main

import (
	"errors"
	"os"
	"os/exec"
)

// errNoEditor: neither $VISUAL nor $EDITOR is set and nano is not there.
var errNoEditor = errors.New("no editor to open the letter in: set one for this shell with `export EDITOR=nano` (or vim, emacs, ...), or write the letter in a file and use `foi drafts edit ID --file FILE`")

// chooseEditor is the editor to open a letter in: $VISUAL, else $EDITOR,
// else nano if it is installed (the one a newcomer can leave: its keys are
// on screen; vi is not). getenv and lookPath are os.Getenv and
// exec.LookPath, given so that tests can choose.
func chooseEditor(getenv func(string) string, lookPath func(string) (string, error)) (string, error) {
	for _, v := range []string{"VISUAL", "EDITOR"} {
		if e := getenv(v); e != "" {
			return e, nil
		}
	}
	if p, err := lookPath("nano"); err == nil {
		return p, nil
	}
	return "", errNoEditor
}

// editor is chooseEditor for this process.
func editor() (string, error) { return chooseEditor(os.Getenv, exec.LookPath) }
