%% Raise error:Class (badarg or badarith) with EEP 54 error_info from the
%% function this expands in: the stack trace's top frame is that function,
%% called with Args, and the shell asks tweann_error:format_error/2 to
%% explain argument Pos (1-based, or general) with Why. Used inline (or from
%% an inlined helper) so the public function is the top frame, once.
-define(TWEANN_ERROR(Class, Args, Pos, Why),
        erlang:error(Class, Args,
                     [{error_info, #{module => tweann_error, cause => {Pos, Why}}}])).

%% ?TWEANN_ERROR for a bad argument.
-define(TWEANN_BADARG(Args, Pos, Why), ?TWEANN_ERROR(badarg, Args, Pos, Why)).
