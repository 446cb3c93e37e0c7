package web

import (
	"bytes"
	"fmt"
	"foi/results"
	"net/http"
	"strings"
	"time"
)

// calendar serves a campaign's (or every campaign's) calendar feed by its
// token, as `foi export --format ics` writes it; 404 for any other name.
func (s *Server) calendar(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if !ok || token == "" {
		http.NotFound(w, r)
		return
	}
	slug, ok, err := results.FeedFor(r.Context(), s.opt.Store, token)
	if err != nil {
		s.opt.Log.Error("calendar feed", "err", err)
		http.Error(w, "the calendar could not be read", http.StatusInternalServerError)
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	var buf bytes.Buffer
	if err := results.WriteCalendar(r.Context(), &buf, s.opt.Scheduler, slug, s.opt.Now()); err != nil {
		s.opt.Log.Error("calendar feed", "campaign", slug, "err", err)
		http.Error(w, "the calendar could not be written", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Write(buf.Bytes())
}

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
