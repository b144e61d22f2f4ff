package callcenter

import (
	"fmt"
	"strings"
)

// Model is how the call center puts its employees on calls: the lecture's
// "a new thread or process for each incoming request", and the classic
// answer to ten thousand callers, one employee who answers whichever phone
// rings.
type Model string

const (
	// ModelThreads serves each call in a goroutine of its own, or with
	// Workers in one of a fixed number: the server as it always was.
	ModelThreads Model = "threads"
	// ModelProcesses serves each call in a new OS process: the server runs
	// its own executable again, handing it the call's socket.
	ModelProcesses Model = "processes"
	// ModelEventLoop serves every call from one thread that waits on all of
	// them at once (epoll), with no goroutine per call.
	ModelEventLoop Model = "eventloop"
)

// Models lists every Model, in the order the lecture meets them.
var Models = []Model{ModelThreads, ModelProcesses, ModelEventLoop}

// ParseModel reads a Model's name, as the server's -model flag takes it.
func ParseModel(name string) (Model, error) {
	for _, m := range Models {
		if string(m) == name {
			return m, nil
		}
	}
	names := make([]string, len(Models))
	for i, m := range Models {
		names[i] = string(m)
	}
	return "", fmt.Errorf("-model %q: want %s", name, strings.Join(names, ", "))
}

// Describe says in a line what m does, for the server's log and the web view.
func (m Model) Describe() string {
	switch m {
	case ModelProcesses:
		return "a new process for each call"
	case ModelEventLoop:
		return "one thread answers every call as its phone rings (epoll)"
	default:
		return "a goroutine for each call"
	}
}

// model is s's Model, threads when unset.
func (s *Server) model() Model {
	if s.Model == "" {
		return ModelThreads
	}
	return s.Model
}

// waker is an event loop, which Shutdown wakes to stop it taking calls.
type waker interface{ stop() }

// addLoop counts an event loop as a call in progress for Shutdown to wait
// on, unless Shutdown has begun; removeLoop is its end.
func (s *Server) addLoop(w waker) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing.Load() {
		return false
	}
	s.loops[w] = struct{}{}
	s.calls.Add(1)
	return true
}

func (s *Server) removeLoop(w waker) {
	s.mu.Lock()
	delete(s.loops, w)
	s.mu.Unlock()
	s.calls.Done()
}
