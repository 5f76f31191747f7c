/*
 * CartPinger checkout tracker (classic and block checkout). No jQuery, no dependencies.
 * Sends phone, first name, email, country and the WhatsApp consent to the track-cart route
 * after the shopper stops typing, so an abandoned cart can be recovered. Failures are ignored:
 * the checkout never waits on this script.
 */
( function () {
	'use strict';
	var cfg = window.cartpingerTrack, timer = 0, last = '', sentConsent = !! ( cfg && cfg.consent );
	if ( ! cfg || ! window.fetch ) {
		return;
	}
	function val( id ) {
		var el = document.getElementById( id );
		return el && el.value ? String( el.value ) : '';
	}
	function read() {
		var form = document.querySelector( 'form.checkout' ), d = window.wp && window.wp.data;
		if ( form ) {
			var box = document.getElementById( 'cartpinger_whatsapp_consent' );
			return { phone: val( 'billing_phone' ), name: val( 'billing_first_name' ), email: val( 'billing_email' ),
				country: val( 'billing_country' ), consent: !! ( box && box.checked ) };
		}
		if ( ! d || ! d.select( 'wc/store/cart' ) ) {
			return null;
		}
		// The consent boxes sit in the address form, under the phone: read the address whose
		// phone is used (billing first, as the order does).
		var c = d.select( 'wc/store/cart' ).getCustomerData(), b = c.billingAddress || {}, s = c.shippingAddress || {},
			a = b.phone ? b : s;
		return { phone: b.phone || s.phone || '', name: b.first_name || s.first_name || '', email: b.email || '',
			country: b.country || s.country || '', consent: !! a[ cfg.field ] };
	}
	function send() {
		var data = read(), body;
		if ( ! data || ! data.phone || ( ! data.consent && ! sentConsent ) ) {
			return;
		}
		body = JSON.stringify( data );
		if ( body === last ) {
			return;
		}
		last = body;
		sentConsent = data.consent;
		window.fetch( cfg.url, { method: 'POST', credentials: 'same-origin', keepalive: true,
			headers: { 'Content-Type': 'application/json', 'X-WP-Nonce': cfg.nonce, 'X-CartPinger-Nonce': cfg.check }, body: body } )
			.catch( function () {} );
	}
	function later() {
		window.clearTimeout( timer );
		timer = window.setTimeout( send, 800 );
	}
	document.addEventListener( 'input', later, true );
	document.addEventListener( 'change', later, true );
	if ( window.wp && window.wp.data && window.wp.data.subscribe ) {
		window.wp.data.subscribe( later );
	}
	window.addEventListener( 'pagehide', send );
}() );
