/*
 * guests/lib/io/xenbus.h - the states of a split driver's two ends
 * (lab 7), Xen's xen/include/public/io/xenbus.h.  Each end writes its
 * state to the "state" key of its own xenstore directory and watches the
 * other's: the backend goes InitWait when it has written its parameters,
 * the frontend Initialised once its ring and event channel are published
 * (or Connected directly), the backend Connected once it has mapped them;
 * Closing and Closed tear the connection down.
 */
#ifndef GUESTS_LIB_IO_XENBUS_H
#define GUESTS_LIB_IO_XENBUS_H

enum xenbus_state {
	XenbusStateUnknown = 0,
	XenbusStateInitialising = 1,
	XenbusStateInitWait = 2,    /* backend: waiting for the frontend */
	XenbusStateInitialised = 3, /* frontend: ring published */
	XenbusStateConnected = 4,
	XenbusStateClosing = 5, /* the other end is asked to close */
	XenbusStateClosed = 6,
	XenbusStateReconfiguring = 7,
	XenbusStateReconfigured = 8,
};
typedef enum xenbus_state XenbusState;

#endif
