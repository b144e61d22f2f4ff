package wire

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/socketlab/socketlab/internal/lab"
)

// glosser collects what a segment means.
type glosser struct {
	moments []Moment
	words   []string
}

func (g *glosser) add(m Moment, format string, args ...any) {
	g.moments = append(g.moments, m)
	g.words = append(g.words, fmt.Sprintf(format, args...))
}

// explain updates the call with segment s from side from and says which
// key moments it marks. e holds s's relative numbers.
func (c *call) explain(g *glosser, s Segment, e Event, from int) {
	to := 1 - from
	me := c.label[from]
	switch {
	case s.Flags.Has(RST):
		c.explainReset(g, from)
		return
	case s.Flags&(SYN|ACK) == SYN:
		if from == caller && !c.synAck {
			switch {
			case c.oldCall:
				c.oldCall = false
				g.add(MomentRingAgain, "rings again: the old call is cleared, so the SYN is sent again")
			case c.rang:
				g.add(MomentRingAgain, "rings again: no answer yet, so the SYN is sent again")
			default:
				g.add(MomentRing, "the phone rings: %s calls %s", me, c.where())
			}
			c.rang = true
		}
		return
	case s.Flags.Has(SYN | ACK):
		if !c.synAck {
			g.add(MomentAnswer, "%s's kernel answers, before its program calls accept()", me)
		}
		c.synAck = true
		return
	case from == server && c.rang && !c.synAck && s.Flags&(ACK|FIN) == ACK && len(s.Payload) == 0:
		// A SYN that meets a connection still in TIME_WAIT or LAST_ACK
		// on the same four numbers gets that connection's ACK, not a
		// SYN-ACK; the caller's kernel then resets it and rings again.
		c.oldCall = true
		g.add(MomentOldCall, "an old call on these ports is still closing: %s's kernel answers with the old call's numbers", me)
		return
	}
	if from == caller && c.synAck && !c.handshake && s.Flags.Has(ACK) {
		c.handshake = true
		g.add(MomentHandshake, "three-way handshake done: the phone is picked up")
	}
	if len(s.Payload) > 0 {
		c.explainData(g, s, e, from)
	}
	if c.fin[to] && len(s.Payload) > 0 {
		c.talkAfter[from] = true
	}
	if s.Flags.Has(FIN) && !c.fin[from] {
		c.fin[from], c.finSeq[from] = true, e.Seq+uint32(len(s.Payload))
		if c.next[from] == c.finSeq[from] {
			c.next[from]++
		}
		if c.fin[to] {
			g.add(MomentHangUp, "%s hangs up too", me)
		} else {
			g.add(MomentHangUpFirst, "%s hangs up first (FIN): it will send nothing more, but may still listen", me)
		}
	}
	if c.fin[caller] && c.fin[server] && !s.Flags.Has(FIN) && !c.over && e.Ack != nil && *e.Ack == c.finSeq[to]+1 {
		c.over = true
		g.add(MomentOver, "the call is over")
	}
}

// where names the server's end with its port: "laptop-a at port 8000".
func (c *call) where() string {
	port := strconv.Itoa(int(c.addr[server].Port()))
	if strings.HasSuffix(c.label[server], ":"+port) {
		return c.label[server]
	}
	return c.label[server] + " at port " + port
}

// explainData glosses a segment that carries bytes: the greeting, the
// message, the echo, or a retransmission.
func (c *call) explainData(g *glosser, s Segment, e Event, from int) {
	me, them := c.label[from], c.label[1-from]
	if e.Seq != c.next[from] {
		if e.Seq+uint32(len(s.Payload)) <= c.next[from] {
			g.add(MomentRetransmit, "%s sends this again: no ACK came for it", me)
		}
		return // out of order: not added to what the side said
	}
	newTurn := c.lastSpoke != from
	first := c.sent[from] == 0
	c.next[from] += uint32(len(s.Payload))
	c.sent[from] += len(s.Payload)
	if room := maxKept - len(c.kept[from]); room > 0 {
		c.kept[from] = append(c.kept[from], s.Payload[:min(room, len(s.Payload))]...)
	}
	c.lastSpoke = from
	switch {
	case from == server && first && c.sent[caller] == 0:
		switch string(s.Payload) {
		case lab.Busy:
			g.add(MomentBusy, "busy signal: every employee at %s is on a call", me)
		case lab.Greeting:
			g.add(MomentGreeting, "the greeting: %s speaks first", me)
		default:
			g.add(MomentGreeting, "%s speaks first", me)
		}
	case from == caller && first:
		c.greetedAt = c.sent[server]
		g.add(MomentMessage, "the message: %s speaks", me)
	case from == caller && newTurn:
		g.add(MomentMessage, "%s speaks again", me)
	case from == server && newTurn && c.isEcho():
		g.add(MomentEcho, "the echo: %s sends %s's bytes back", me, them)
	}
}

// isEcho says whether all the server has said since the caller first
// spoke repeats the start of what the caller said.
func (c *call) isEcho() bool {
	if c.sent[caller] == 0 || c.greetedAt >= len(c.kept[server]) {
		return false
	}
	return bytes.HasPrefix(c.kept[caller], c.kept[server][c.greetedAt:])
}

// explainReset says why side from reset the call. The kernel sends a RST
// when a SYN finds no listener, when a socket is closed with received
// data its program never read, and when data arrives for a socket that is
// gone; watch can only infer which from what it saw.
func (c *call) explainReset(g *glosser, from int) {
	to := 1 - from
	me, them := c.label[from], c.label[to]
	if from == caller && c.oldCall && !c.synAck {
		// Not the end of this call: the same SYN comes again.
		g.add(MomentResetOldCall, "reset: %s's kernel clears the old call off these ports, so that it can ring again", me)
		return
	}
	c.over = true
	c.resets++
	echoed := c.sent[server] - c.greetedAt
	switch {
	case c.resets > 1:
		g.add(MomentResetAgain, "reset again: more of %s's data met a closed socket", them)
	case from == server && !c.synAck:
		g.add(MomentRefused, "reset: nothing is listening at %s, so its kernel refuses the call (connection refused)", c.where())
	case c.talkAfter[to] && c.fin[from]:
		g.add(MomentResetAfterClose, "reset: %s kept talking after %s hung up and closed its socket, so %s's kernel had no one to give the bytes to", them, me, me)
	case from == server && c.sent[caller] > 0 && echoed > 0 && echoed < c.sent[caller]:
		g.add(MomentResetUnread, "reset: %s closed its socket with data unread (%s sent %d bytes, %s read and echoed %d), so its kernel hangs up rudely and drops what is in flight", me, them, c.sent[caller], me, echoed)
	case c.sent[to] > 0:
		g.add(MomentResetUnread, "reset: %s closed its socket before reading all %s sent (%d bytes), so its kernel hangs up rudely and drops what is in flight", me, them, c.sent[to])
	case from == server && c.synAck && c.sent[caller] == 0 && c.sent[server] == 0:
		g.add(MomentResetOnHold, "reset: %s closed its listening socket while %s was still on hold in the queue: its kernel had picked up, but no program ever took the call", me, them)
	default:
		g.add(MomentResetAbort, "reset: %s aborted the call (its program died, or closed with SO_LINGER 0)", me)
	}
}
