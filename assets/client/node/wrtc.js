// WebRTC for simple-peer in Node: node-datachannel's polyfill (libdatachannel), for the Node peer
// that tests the client's code as a second implementation of the protocols. Not in the bundle.
//
// simple-peer hands what createOffer/createAnswer return to setLocalDescription and to its
// 'signal' event; node-datachannel returns its own RTCSessionDescription objects, which do not
// serialise as plain {type, sdp}: wrap them.

import * as polyfill from 'node-datachannel/polyfill';

class RTCPeerConnection extends polyfill.RTCPeerConnection {
  async createOffer(...args) {
    const d = await super.createOffer(...args);
    return { type: d.type, sdp: d.sdp };
  }

  async createAnswer(...args) {
    const d = await super.createAnswer(...args);
    return { type: d.type, sdp: d.sdp };
  }
}

export const wrtc = {
  RTCPeerConnection,
  RTCSessionDescription: polyfill.RTCSessionDescription,
  RTCIceCandidate: polyfill.RTCIceCandidate,
};
