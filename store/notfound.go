package store

import "fmt"

// NotFoundError says which thing was not there: What is its kind
// ("request", "campaign"), Key what it was asked for by. It is ErrNotFound
// to errors.Is, so callers that only need to know "not found" need not
// care; the command line reads What and Key to say which list to look in.
type NotFoundError struct {
	What, Key string
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("%s %s: %v", e.What, e.Key, ErrNotFound) }

// Is makes a NotFoundError match ErrNotFound.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

func notFound(what, key string) error { return &NotFoundError{What: what, Key: key} }

// ExistsError says which thing is there already: What is its kind
// ("campaign"), Key its name. It is ErrExists to errors.Is.
type ExistsError struct {
	What, Key string
}

func (e *ExistsError) Error() string { return fmt.Sprintf("%s %s: %v", e.What, e.Key, ErrExists) }

// Is makes an ExistsError match ErrExists.
func (e *ExistsError) Is(target error) bool { return target == ErrExists }
