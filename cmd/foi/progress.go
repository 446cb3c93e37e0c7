package main

import (
	"fmt"
	"io"
	"strings"
)

// progressBar draws "[#######.......] 120/500 messages" in place on a
// terminal, for work that takes a while (send, sync, backup), and nothing
// at all when the output is piped or written to a file, or with --json.
type progressBar struct {
	w     io.Writer
	on    bool
	drawn bool
}

// newBar is a progress bar on stdout, drawn only on a terminal.
func (a *app) newBar() *progressBar {
	return &progressBar{w: a.stdout, on: !a.json && (a.terminal || isTerminal(a.stdout))}
}

// show redraws the bar: done of total, then words ("sent, 2 failed").
func (b *progressBar) show(done, total int, words string) {
	if !b.on {
		return
	}
	const width = 30
	filled := 0
	if total > 0 {
		filled = min(done, total) * width / total
	}
	fmt.Fprintf(b.w, "\r[%s%s] %d/%d %s ", strings.Repeat("#", filled), strings.Repeat(".", width-filled), done, total, words)
	b.drawn = true
}

// end moves past the bar, so that what follows starts on its own line.
func (b *progressBar) end() {
	if b.drawn {
		fmt.Fprintln(b.w)
		b.drawn = false
	}
}
