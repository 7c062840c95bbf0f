%% Assertions on the errors of the reference modules and of tweann_nif
%% (see tweann_oracle).
-include_lib("eunit/include/eunit.hrl").

%% Assert that Expr raises badarg about argument Pos.
-define(badarg_at(Pos, Expr),
        ?assertEqual([Pos], maps:keys(tweann_oracle:cause(badarg, fun() -> Expr end)))).
%% ... and that the reason contains Text.
-define(badarg_says(Pos, Text, Expr),
        begin
            ((fun() ->
                      C__ = tweann_oracle:cause(badarg, fun() -> Expr end),
                      ?assertEqual([Pos], maps:keys(C__)),
                      ?assertNotEqual(nomatch, string:find(maps:get(Pos, C__), Text))
              end)())
        end).
