-- helper.lua: loaded by busted before the specs (.busted). Makes spec/ modules loadable
-- and checks that the specs run under the built host with the validation layer asked for.
package.path = "./spec/?.lua;" .. package.path
assert(package.preload.lluvia, "the specs must run under lluvia-lua (see .busted)")
