package web

import (
	"fmt"
	"net/http"
	"time"
)

// events tells an open page when something new is recorded (a reply
// filed, a letter sent, another volunteer's action), as server-sent
// events: "change" with store.Changes, at once and whenever it moves. The
// page's script reloads it; without the script nothing happens, and a
// reload shows the same.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming is not supported here", http.StatusInternalServerError)
		return
	}
	ctx := r.Context()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	last := ""
	tick := time.NewTicker(s.opt.Poll)
	defer tick.Stop()
	// A stream lasts at most an hour; the browser opens a new one.
	end := time.NewTimer(time.Hour)
	defer end.Stop()
	for {
		v, err := s.opt.Store.Changes(ctx)
		if err != nil {
			return
		}
		if v != last {
			last = v
			fmt.Fprintf(w, "event: change\ndata: %s\n\n", v)
		} else {
			fmt.Fprint(w, ": still here\n\n")
		}
		fl.Flush()
		select {
		case <-ctx.Done():
			return
		case <-end.C:
			return
		case <-tick.C:
		}
	}
}
