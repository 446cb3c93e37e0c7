package store

import (
	"encoding/json"

	"foi/lifecycle"
)

// Verdict is what classification suggested for a received message, with the
// evidence, as package inbox decided it at filing. It is a suggestion until
// a person confirms it (foi mark); the store keeps it as JSON and returns it
// typed, so no caller reads the column itself.
type Verdict struct {
	Kind     lifecycle.Kind `json:"Kind"`
	Evidence []string       `json:"Evidence,omitempty"`

	// Bounces.
	FailedRecipients []string `json:"FailedRecipients,omitempty"`
	Status           string   `json:"Status,omitempty"`
	Diagnostic       string   `json:"Diagnostic,omitempty"`
	Temporary        bool     `json:"Temporary,omitempty"`

	// RedirectTo: addresses an automatic reply asks us to write to.
	RedirectTo []string `json:"RedirectTo,omitempty"`

	// A substantive response: the exemptions and limits cited ("s.12"),
	// and the outcome it looks like (empty when it could not be told).
	Sections []string        `json:"Sections,omitempty"`
	Outcome  lifecycle.State `json:"Outcome,omitempty"`
}

// Suggestion is a request an unmatched message may belong to, and why.
type Suggestion struct {
	Ref string `json:"Ref"`
	Why string `json:"Why"`
}

func decodeVerdict(s string) *Verdict {
	if s == "" {
		return nil
	}
	var v Verdict
	if json.Unmarshal([]byte(s), &v) != nil || v.Kind == "" {
		return nil
	}
	return &v
}

func decodeSuggestions(s string) []Suggestion {
	var list []Suggestion
	if s != "" {
		json.Unmarshal([]byte(s), &list)
	}
	return list
}
